import PostgresNIO
import PostgresKit
import SQLKit

/// Asks a dedicated PostgreSQL connection whether it still answers, without ever waiting
/// longer than asked: a query on a half-open connection may hang, and neither cancelling it
/// nor closing the connection is sure to end it at once, so nothing here awaits either.
enum ConnectionProbe {
    /// Whether `connection` answers `SELECT 1` within `timeout`.
    static func answers(_ connection: PostgresConnection, within timeout: Duration) async -> Bool {
        let answered = OnceFlag()
        let query = Task {
            if (try? await connection.sql().raw("SELECT 1").run()) != nil { answered.set() }
        }
        let deadline = ContinuousClock.now + timeout
        while !answered.isSet, ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
        }
        if !answered.isSet { query.cancel() }
        return answered.isSet
    }

    /// Closes `connection` in the background (ending its session, and with it any advisory
    /// lock it holds, as soon as the socket closes) without waiting for the close to finish.
    static func abandon(_ connection: PostgresConnection?) {
        guard let connection else { return }
        Task { try? await connection.close() }
    }

    /// Closes `connection`, waiting at most `timeout` for it (a graceful leave, where the
    /// next holder of its lock may be a restart in the same process).
    static func close(_ connection: PostgresConnection?, within timeout: Duration) async {
        guard let connection else { return }
        let closed = OnceFlag()
        Task {
            try? await connection.close()
            closed.set()
        }
        let deadline = ContinuousClock.now + timeout
        while !closed.isSet, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
