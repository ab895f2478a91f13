public import Foundation

/// Where the data lives, parsed from `DATABASE_URL`.
///
/// Accepted forms (protocol.md): `sqlite:///abs/path.sqlite`, `sqlite://relative.sqlite`,
/// `sqlite::memory:`, and `postgres://user:pass@host:port/db` (also `postgresql://`, with
/// an optional `?sslmode=disable|prefer|require`).
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqliteFile(path: String)
    case sqliteMemory
    case postgres(host: String, port: Int, username: String, password: String?, database: String?, sslMode: String)

    /// The embedded default.
    public static let defaultValue = "sqlite://./switchboard.sqlite"

    /// Parses `DATABASE_URL`: `sqlite://PATH`, `sqlite::memory:`, or `postgres://…`.
    public init(parsing text: String) throws(ConfigurationError) {
        if text == "sqlite::memory:" || text == "sqlite://:memory:" {
            self = .sqliteMemory
            return
        }
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw ConfigurationError("DATABASE_URL '\(text)' names no SQLite file") }
            self = .sqliteFile(path: path)
            return
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty,
                  let user = components.user, !user.isEmpty
            else {
                throw ConfigurationError("DATABASE_URL must look like postgres://user:pass@host:port/db")
            }
            let database = components.path.split(separator: "/").first.map { String($0).removingPercentEncoding ?? String($0) }
            let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
            guard ["disable", "prefer", "require"].contains(sslMode) else {
                throw ConfigurationError("DATABASE_URL sslmode must be disable, prefer or require")
            }
            self = .postgres(
                host: host, port: components.port ?? 5432,
                username: user.removingPercentEncoding ?? user,
                password: components.password.map { $0.removingPercentEncoding ?? $0 },
                database: database, sslMode: sslMode
            )
            return
        }
        throw ConfigurationError("DATABASE_URL '\(text)' is neither sqlite:// nor postgres://")
    }

    /// The URL without its password, for logs.
    public var description: String {
        switch self {
        case .sqliteFile(let path): "sqlite://\(path)"
        case .sqliteMemory: "sqlite::memory:"
        case .postgres(let host, let port, let user, _, let database, _): "postgres://\(user):***@\(host):\(port)/\(database ?? "")"
        }
    }
}

/// A setting that cannot be used; the message names the setting and what is wrong.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong, naming the setting.
    public var message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
