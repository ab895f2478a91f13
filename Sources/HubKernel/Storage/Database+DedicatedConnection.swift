import Logging
import PostgresKit
import Synchronization

/// PostgreSQL connections outside the pool, for what must hold one session.
extension Database {
    /// Opens a PostgreSQL connection outside the pool, for what must hold one session
    /// (cluster mode's LISTEN and its node-name lock). `nil` for SQLite. The caller closes it.
    /// - Parameter settings: session settings sent at connect (`idle_session_timeout`, …).
    func dedicatedConnection(logger: Logger, settings: [(String, String)] = []) async throws -> PostgresConnection? {
        guard case .postgres(_, var configuration) = backend else { return nil }
        configuration.options.additionalStartupParameters += settings
        // the connect runs on its own and is only polled: a connect cancelled at the wrong
        // moment is not sure to end, and a service must stop at once on shutdown regardless;
        // a connection that arrives after we gave up is closed
        let outcome = ConnectAttempt()
        let attempt = Task { [configuration] in
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: Int.random(in: 1...Int.max), logger: logger)
                outcome.result.withLock { $0 = .success(connection) }
            } catch {
                outcome.result.withLock { $0 = .failure(error) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            if let result = outcome.result.withLock({ $0 }) { return try result.get() }
            if Task.isCancelled || ContinuousClock.now >= deadline {
                attempt.cancel()
                Task {
                    _ = await attempt.value
                    if case .success(let late) = outcome.result.withLock({ $0 }) { try? await late.close() }
                }
                if Task.isCancelled { throw CancellationError() }
                throw DatabaseUnavailable(reason: "no dedicated database connection within 10 s")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Where a dedicated connection attempt leaves its outcome for the caller that polls it.
private final class ConnectAttempt: Sendable {
    let result = Mutex<Result<PostgresConnection, any Error>?>(nil)
}
