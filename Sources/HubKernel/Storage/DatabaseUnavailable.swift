import PostgresKit

/// The database could not be reached or could not serve the request right now.
///
/// The wire shows it as `unavailable` (safe to retry). Constraint violations and SQL errors
/// are not this: they are the caller's to map, and a bug if unmapped.
public struct DatabaseUnavailable: Error, Sendable, WireErrorConvertible, CustomStringConvertible {
    /// What failed, for logs.
    public var reason: String

    /// `unavailable`: the client may retry; nothing was written.
    public var hubError: HubError { .unavailable("the database is unavailable, retry later") }
    public var description: String { "database unavailable: \(reason)" }

    /// Wraps connectivity failures; returns other errors unchanged.
    static func wrapping(_ error: any Error) -> any Error {
        if error is DatabaseUnavailable { return error }
        if let error = error as? PSQLError {
            switch error.code {
            case .server, .queryCancelled, .tooManyParameters, .invalidCommandTag:
                // the server answered: a statement or constraint error, not connectivity
                if let state = error.serverInfo?[.sqlState], state.hasPrefix("08") || state.hasPrefix("57P") {
                    return DatabaseUnavailable(reason: String(describing: error))
                }
                return error
            default:
                return DatabaseUnavailable(reason: String(describing: error.code))
            }
        }
        if let error = error as? SQLiteFailure, error.isUnavailability {
            return DatabaseUnavailable(reason: error.message)
        }
        return error
    }
}

extension Error {
    /// Whether this is a UNIQUE (or primary key) violation, on SQLite or PostgreSQL.
    public var isUniqueViolation: Bool {
        if let error = self as? SQLiteFailure { return error.isUniqueViolation }
        if let error = self as? PSQLError { return error.serverInfo?[.sqlState] == "23505" }
        return false
    }

    /// Whether this is a CHECK, NOT NULL or foreign-key violation, on SQLite or PostgreSQL.
    public var isConstraintViolation: Bool {
        if let error = self as? SQLiteFailure { return error.isConstraintViolation }
        if let error = self as? PSQLError, let state = error.serverInfo?[.sqlState] { return state.hasPrefix("23") }
        return false
    }
}
