// The system's SQLite (Debian: libsqlite3-dev), used directly by HubKernel's SQLite driver so
// that a transaction's statements run where the caller is, without a thread hop each.
#include <sqlite3.h>
