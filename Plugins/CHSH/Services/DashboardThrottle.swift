import Synchronization

/// At most one dashboard per game per interval, and never a stale one: a change marks the
/// game dirty; ``due(at:)`` hands out the dirty games whose last dashboard is at least one
/// interval old, so a change inside the window is sent when the window ends (the trailing
/// update the reference app lacked). Memory holds only games changed in the last interval.
final class DashboardThrottle: Sendable {
    private struct State {
        var dirty: Set<String> = []
        var lastSent: [String: Int64] = [:]
    }
    private let state = Mutex(State())
    let intervalMs: Int64

    /// At most `maxHz` dashboards a second per game.
    init(maxHz: Int) { intervalMs = Int64((1000 + maxHz - 1) / maxHz) }

    /// Something the game's dashboard shows changed.
    func changed(_ gameID: String) { _ = state.withLock { $0.dirty.insert(gameID) } }

    /// The games to send now; each is marked sent at `now`.
    func due(at now: Int64) -> [String] {
        state.withLock { state in
            state.lastSent = state.lastSent.filter { now - $0.value < intervalMs }
            let ready = state.dirty.filter { state.lastSent[$0] == nil }.sorted()
            for game in ready {
                state.dirty.remove(game)
                state.lastSent[game] = now
            }
            return ready
        }
    }

    /// Whether a change waits to be sent.
    var pending: Int { state.withLock { $0.dirty.count } }
}
