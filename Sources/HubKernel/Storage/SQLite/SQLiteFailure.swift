import CSQLite

/// An error reported by SQLite: its extended result code and message.
///
/// It exists so the rest of the kernel can tell a constraint violation (the caller's to map)
/// from the database being unusable (``DatabaseUnavailable``) without knowing SQLite's numbers.
public struct SQLiteFailure: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_IOERR_FSYNC`, …).
    public let code: Int32
    /// SQLite's message for it.
    public let message: String

    /// The primary result code (the low byte of the extended one).
    var primaryCode: Int32 { code & 0xff }

    public var description: String { "SQLite error \(code): \(message)" }

    /// A UNIQUE or PRIMARY KEY constraint was violated.
    var isUniqueViolation: Bool {
        // SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY (macros Swift does not import)
        code == SQLITE_CONSTRAINT | (8 << 8) || code == SQLITE_CONSTRAINT | (6 << 8)
    }

    /// Any constraint (CHECK, NOT NULL, FOREIGN KEY, UNIQUE) was violated.
    var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    /// The file cannot be used right now (busy, locked, full, read-only, I/O error, out of
    /// memory, cannot be opened): the request may be retried later.
    var isUnavailability: Bool {
        [SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN]
            .contains(primaryCode)
    }
}
