#include "app/sqlite.h"

#include <utility>

namespace deliverysim::app {

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::Bind(int index, std::int64_t value) {
  if (statement_) sqlite3_bind_int64(statement_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  if (statement_) sqlite3_bind_double(statement_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, const std::string& value) {
  if (statement_) {
    sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (statement_) sqlite3_bind_null(statement_, index);
  return *this;
}

bool Statement::Step() {
  if (!statement_) return false;
  const int status = sqlite3_step(statement_);
  if (status == SQLITE_ROW) return true;
  if (status != SQLITE_DONE) db_->NoteFailure("");
  return false;
}

void Statement::Reset() {
  if (!statement_) return;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::Integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double Statement::Real(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<Sqlite>> Sqlite::Open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  const int status = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (status != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(status);
    sqlite3_close(db);
    return Error{path, 0, 0, "", "cannot open the results database: " + message};
  }
  // A sweep and a report reading it may overlap; wait for a lock rather than fail at once.
  sqlite3_busy_timeout(db, 10'000);
  return std::unique_ptr<Sqlite>(new Sqlite(path, db));
}

Sqlite::~Sqlite() { sqlite3_close(db_); }

void Sqlite::Execute(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    NoteFailure(message ? message : "");
  }
  sqlite3_free(message);
}

Statement Sqlite::Prepare(const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    NoteFailure("");
  }
  return Statement(this, statement);
}

void Sqlite::NoteFailure(const std::string& what) {
  if (error_) return;
  error_ = "database error: " + (what.empty() ? std::string(sqlite3_errmsg(db_)) : what);
}

}  // namespace deliverysim::app
