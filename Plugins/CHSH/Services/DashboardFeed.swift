import HubKernel
import Logging
import ServiceLifecycle

/// Pushes `chsh.dashboard` to each changed game's host topic, at most `dashboardMaxHz` times a
/// second per game and always once more after the last change (``DashboardThrottle``).
struct DashboardFeed: Service {
    let throttle: DashboardThrottle
    let builder: DashboardBuilder
    let database: Database
    let events: EventPublisher<CHSHModule>
    let clock: any HubClock
    let tick: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await publishDue()
                try await Task.sleep(for: tick)
            }
        }
    }

    /// Sends the dashboards that are due now (the service's tick; tests call it directly).
    func publishDue() async {
        for gameID in throttle.due(at: clock.nowMs()) {
            do {
                guard let view = try await database.withConnection({ try await builder.build(gameID, on: $0) }) else { continue }
                try await events.publish(DashboardUpdated(view), on: CHSHTopics.dashboard(gameID))
            } catch {
                // the database may be down: the next change sends a fresh one
                throttle.changed(gameID)
                logger.warning("the CHSH dashboard could not be computed", metadata: ["sb.game": .string(gameID), "error": .string(String(describing: error))])
            }
        }
    }
}
