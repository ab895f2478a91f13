import HubKernel
import Logging
import ServiceLifecycle
import Synchronization

/// Who is connected and who is where, with the leave debounce.
///
/// A user is online from their first connection; after the last one closes they stay online
/// for `offlineDebounceMs`, so a reload (close, then reconnect within the debounce) says
/// nothing. Topic presence works the same per topic. Transitions are announced as
/// `presence.diff` (unsequenced) and online status is persisted. A single node keeps this in
/// memory; in a cluster every call goes to ``ClusterPresence``, which keeps it in the
/// database so every node counts every node's connections.
final class PresenceTracker: Service, Sendable {
    private struct User {
        var connections: Set<String> = []
        var offlineAt: Int64?
        var announced = false
    }
    private struct Member {
        var connections: Set<String> = []
        var leaveAt: Int64?
    }
    private struct State {
        var users: [String: User] = [:]
        var topics: [String: [String: Member]] = [:]
        var tracked: [String: Set<String>] = [:]  // connection id → topics it tracks
    }

    static let usersTopic = "users"

    private let state = Mutex(State())
    private let store: PresenceStore
    private let events: EventPublisher<PresenceModule>
    private let clock: any HubClock
    private let node: String
    private let logger: Logger
    let debounceMs: Int64
    private let startedAt: Int64
    /// Cluster mode: presence in the database.
    let cluster: ClusterPresence?
    private let leadership: any Leadership

    init(store: PresenceStore, events: EventPublisher<PresenceModule>, clock: any HubClock, node: String, logger: Logger, debounceMs: Int,
         cluster: ClusterPresence? = nil, leadership: any Leadership) {
        self.cluster = cluster
        self.leadership = leadership
        self.store = store
        self.events = events
        self.clock = clock
        self.node = node
        self.logger = logger
        self.debounceMs = Int64(debounceMs)
        self.startedAt = clock.nowMs()
    }

    private func announce(_ topic: String, joins: [String] = [], leaves: [String] = []) async throws {
        try await events.publish(PresenceDiff(topic: topic, joins: joins, leaves: leaves), on: PresenceTopics.of(topic))
    }

    /// Announces from a hook or the service loop, which have no caller to answer: a failure
    /// (an event that cannot be encoded) is logged.
    private func announceLogged(_ topic: String, joins: [String] = [], leaves: [String] = []) async {
        do { try await announce(topic, joins: joins, leaves: leaves) } catch {
            logger.error("could not announce presence", metadata: ["sb.topic": .string(topic), "error": .string(String(describing: error))])
        }
    }

    // MARK: connections

    func connected(_ connection: ConnectionInfo) async {
        if let cluster {
            do { try await cluster.connected(connection) } catch {
                logger.warning("could not record presence", metadata: ["error": .string(String(describing: error))])
            }
            return
        }
        let userID = connection.identity.userID
        let cameOnline = state.withLock { state -> Bool in
            var user = state.users[userID] ?? User()
            user.connections.insert(connection.id)
            user.offlineAt = nil  // a reload inside the debounce: nothing to say
            defer { user.announced = true; state.users[userID] = user }
            return !user.announced
        }
        guard cameOnline else { return }
        do {
            // published in the transaction: a connect storm's hooks then wait for one shared
            // flush each (Hub.connected), not for one here and another for the next hook
            try await store.markOnline(userID, node: node, nowMs: clock.nowMs()) { transaction in
                try await events.publish(PresenceDiff(topic: Self.usersTopic, joins: [userID], leaves: []),
                                         on: PresenceTopics.of(Self.usersTopic), in: transaction)
            }
        } catch {
            // online in memory all the same: say so, unpersisted
            logger.warning("could not persist presence", metadata: ["error": .string(String(describing: error))])
            await announceLogged(Self.usersTopic, joins: [userID])
        }
    }

    func disconnected(_ connection: ConnectionInfo) async {
        if let cluster {
            do { try await cluster.disconnected(connection) } catch {
                // the reaper finds what is left without a connection once this node is gone
                logger.warning("could not record a presence leave", metadata: ["error": .string(String(describing: error))])
            }
            return
        }
        let userID = connection.identity.userID
        let leaveAt = clock.nowMs() + debounceMs
        state.withLock { state in
            for topic in state.tracked.removeValue(forKey: connection.id) ?? [] {
                Self.release(&state, topic: topic, userID: userID, connectionID: connection.id, leaveAt: leaveAt)
            }
            guard var user = state.users[userID] else { return }
            user.connections.remove(connection.id)
            if user.connections.isEmpty { user.offlineAt = leaveAt }
            state.users[userID] = user
        }
    }

    private static func release(_ state: inout State, topic: String, userID: String, connectionID: String, leaveAt: Int64) {
        guard var member = state.topics[topic]?[userID] else { return }
        member.connections.remove(connectionID)
        if member.connections.isEmpty { member.leaveAt = leaveAt }
        state.topics[topic]?[userID] = member
    }

    // MARK: topics

    /// Marks a connection's user as present on `topic`; announces a join when they were not.
    func track(_ topic: String, connectionID: String, userID: String) async throws {
        if let cluster { return try await cluster.track(topic, connectionID: connectionID, userID: userID) }
        let joined = state.withLock { state -> Bool in
            var members = state.topics[topic] ?? [:]
            var member = members[userID] ?? Member()
            let isNew = member.connections.isEmpty && member.leaveAt == nil
            member.connections.insert(connectionID)
            member.leaveAt = nil
            members[userID] = member
            state.topics[topic] = members
            state.tracked[connectionID, default: []].insert(topic)
            return isNew
        }
        if joined { try await announce(topic, joins: [userID]) }
    }

    /// Ends a connection's presence on `topic` (the leave is announced after the debounce).
    func untrack(_ topic: String, connectionID: String, userID: String) async throws {
        if let cluster { return try await cluster.untrack(topic, connectionID: connectionID, userID: userID) }
        let leaveAt = clock.nowMs() + debounceMs
        state.withLock { state in
            state.tracked[connectionID]?.remove(topic)
            Self.release(&state, topic: topic, userID: userID, connectionID: connectionID, leaveAt: leaveAt)
        }
    }

    /// The users present on `topic` with their connection counts (0 while a leave is pending).
    func members(of topic: String) async throws -> [(userID: String, connections: Int)] {
        if let cluster { return try await cluster.members(of: topic) }
        return state.withLock { state in
            (state.topics[topic] ?? [:]).map { ($0.key, $0.value.connections.count) }.sorted { $0.userID < $1.userID }
        }
    }

    /// Open connections and whether the user counts as online.
    func status(of userID: String) async throws -> (online: Bool, connections: Int) {
        if let cluster { return try await cluster.status(of: userID) }
        return state.withLock { state in
            guard let user = state.users[userID] else { return (false, 0) }
            return (user.announced, user.connections.count)
        }
    }

    /// ``status(of:)`` for several users, in one database read in a cluster.
    func statuses(of userIDs: [String]) async throws -> [String: (online: Bool, connections: Int)] {
        if let cluster { return try await cluster.statuses(of: userIDs) }
        var found: [String: (online: Bool, connections: Int)] = [:]
        for userID in userIDs { found[userID] = try await status(of: userID) }
        return found
    }

    // MARK: the debounce

    /// Completes the leaves whose debounce has passed. - Returns: how many were announced.
    @discardableResult
    func flush() async -> Int {
        if let cluster { return await cluster.flush() }
        let now = clock.nowMs()
        let (offline, leaves) = state.withLock { state -> ([(String, Int64)], [(String, String)]) in
            var offline: [(String, Int64)] = []
            for (userID, user) in state.users where user.connections.isEmpty {
                if let at = user.offlineAt, at <= now {
                    offline.append((userID, at - debounceMs))
                    state.users.removeValue(forKey: userID)
                }
            }
            var leaves: [(String, String)] = []
            for (topic, members) in state.topics {
                for (userID, member) in members where member.connections.isEmpty {
                    if let at = member.leaveAt, at <= now {
                        leaves.append((topic, userID))
                        state.topics[topic]?.removeValue(forKey: userID)
                    }
                }
                if state.topics[topic]?.isEmpty == true { state.topics.removeValue(forKey: topic) }
            }
            return (offline, leaves)
        }
        for (userID, lastSeen) in offline {
            do { try await store.markOffline(userID, lastSeen: lastSeen, nowMs: now) } catch {
                logger.warning("could not persist presence", metadata: ["error": .string(String(describing: error))])
            }
            await announceLogged(Self.usersTopic, leaves: [userID])
        }
        for (topic, userID) in leaves { await announceLogged(topic, leaves: [userID]) }
        return offline.count + leaves.count
    }

    /// Marks entries left online by a crashed or killed process offline (run at start).
    /// - Returns: how many.
    @discardableResult
    func clearStale() async -> Int {
        if let cluster { return await cluster.clearStale(startedAt: startedAt) }
        do {
            let stale = try await store.markStaleOffline(before: startedAt)
            if stale > 0 { logger.notice("marked stale presence offline", metadata: ["count": .stringConvertible(stale)]) }
            return stale
        } catch {
            logger.warning("could not clear stale presence", metadata: ["error": .string(String(describing: error))])
            return 0
        }
    }

    func run() async throws {
        await clearStale()
        try? await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(250))
                        await self.flush()
                    }
                }
                if let cluster = self.cluster {
                    // one node reaps what dead nodes left behind
                    group.addTask {
                        try await self.leadership.whileLeader("presence.reaper") {
                            while !Task.isCancelled {
                                do { try await cluster.reap() } catch {
                                    self.logger.warning("presence reaper pass failed", metadata: ["error": .string(String(describing: error))])
                                }
                                try await Task.sleep(for: .milliseconds(500))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
