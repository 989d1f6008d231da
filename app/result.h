// Results of loading and writing: a value, or an error that tells the user where and why.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace deliverysim::app {

// An error a user can act on: the file and position it is about, the key (as a path such as
// "consumers[0].commit"), and what was wrong, with the allowed values where there is a list.
struct Error {
  std::string file;
  int line = 0;    // 1-based; 0 when the error has no position
  int column = 0;  // 1-based
  std::string key;
  std::string message;

  // "file:line:column: key: message", leaving out the parts that are empty.
  std::string ToString() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit on purpose
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit on purpose

  bool ok() const { return std::holds_alternative<T>(state_); }
  // REQUIRES: ok().
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  // REQUIRES: !ok().
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing but may fail.
struct Done {};

}  // namespace deliverysim::app
