// A thin owner of a SQLite connection and its prepared statements, with errors as Results.
//
//   Result<Sqlite> db = Sqlite::Open("results.db");
//   Statement insert = db.value().Prepare("INSERT INTO t VALUES (?1, ?2)");
//   insert.Bind(1, std::int64_t{7}).Bind(2, "text");
//   insert.Step();
//
// A failure while preparing or stepping is recorded on the connection (`failed()`, `error()`)
// rather than returned from every call, so that a transaction's writes read as a list; the
// caller checks once before committing.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "app/result.h"

namespace deliverysim::app {

class Sqlite;

class Statement {
 public:
  Statement(Sqlite* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Parameters are numbered from 1.
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, const std::string& value);
  Statement& BindNull(int index);

  // Runs one step: true when a row is ready to read, false when done (or failed).
  bool Step();
  // Clears the bindings and rewinds, for the next use.
  void Reset();

  // Columns are numbered from 0.
  std::int64_t Integer(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  Sqlite* db_;
  sqlite3_stmt* statement_;
};

class Sqlite {
 public:
  // Opens or creates the database at `path`.
  static Result<std::unique_ptr<Sqlite>> Open(const std::string& path, bool create);
  ~Sqlite();
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  // Runs statements that return no rows.
  void Execute(const std::string& sql);
  Statement Prepare(const std::string& sql);

  bool failed() const { return error_.has_value(); }
  // The first failure since the last ClearError, naming the database file.
  Error error() const { return Error{path_, 0, 0, "", error_.value_or("")}; }
  void ClearError() { error_.reset(); }

  // Records the connection's last error; used by Statement.
  void NoteFailure(const std::string& what);

 private:
  Sqlite(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  std::string path_;
  sqlite3* db_;
  std::optional<std::string> error_;
};

}  // namespace deliverysim::app
