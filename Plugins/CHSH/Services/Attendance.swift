import Synchronization

/// Which players are connected to which game now: a connection counts once it has joined or
/// resumed the game (`chsh.joinGame`, `chsh.state`) and stops counting when it closes.
/// Memory is bounded by the open connections. On one node this is the whole truth; cluster
/// mode will read presence rows instead.
final class Attendance: Sendable {
    private struct State {
        var byConnection: [String: (gameID: String, playerID: String)] = [:]
        var connections: [String: Int] = [:]
    }
    private let state = Mutex(State())

    /// Counts `connectionID` as `playerID` of `gameID`. - Returns: whether the player was absent before.
    @discardableResult
    func arrive(_ connectionID: String, player playerID: String, game gameID: String) -> Bool {
        state.withLock { state in
            if let previous = state.byConnection[connectionID] {
                if previous.playerID == playerID { return false }
                Self.remove(previous.playerID, from: &state)
            }
            state.byConnection[connectionID] = (gameID, playerID)
            state.connections[playerID, default: 0] += 1
            return state.connections[playerID] == 1
        }
    }

    /// Forgets `connectionID`. - Returns: the game and player it left when that player has no
    /// connection left.
    func leave(_ connectionID: String) -> (gameID: String, playerID: String)? {
        state.withLock { state in
            guard let entry = state.byConnection.removeValue(forKey: connectionID) else { return nil }
            return Self.remove(entry.playerID, from: &state) ? entry : nil
        }
    }

    /// Whether `playerID` has a connection now.
    func isPresent(_ playerID: String) -> Bool { state.withLock { $0.connections[playerID, default: 0] > 0 } }

    @discardableResult
    private static func remove(_ playerID: String, from state: inout State) -> Bool {
        let left = state.connections[playerID, default: 1] - 1
        if left <= 0 { state.connections.removeValue(forKey: playerID) } else { state.connections[playerID] = left }
        return left <= 0
    }
}
