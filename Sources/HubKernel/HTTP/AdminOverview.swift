/// `GET /admin/overview`: what an operator watches on this node — its open connections and
/// distinct users (by role), each module's runtime flag with how many topics its connections
/// are subscribed to and how many subscriptions that is, and the busiest topics. Computed
/// from the connections this node holds when asked (no bookkeeping on the hot path); in
/// cluster mode each node answers for itself.
struct AdminOverview: Encodable, Sendable {
    /// One module: its flag and what its topics carry now.
    struct ModuleLoad: Encodable, Sendable {
        var name: String
        var enabled: Bool
        var topics: Int
        var subscriptions: Int
    }

    /// One topic and its subscribers on this node.
    struct TopicLoad: Encodable, Sendable {
        var topic: String
        var subscribers: Int
    }

    var node: String
    var connections: Int
    var users: Int
    var usersByRole: [String: Int]
    var modules: [ModuleLoad]
    /// The busiest topics, most subscribers first (at most `topicLimit`).
    var topics: [TopicLoad]

    static let topicLimit = 20

    init(hub: Hub) {
        let open = hub.openConnections
        var subscribers: [String: Int] = [:]
        var roles: [String: Role] = [:]
        for connection in open {
            let identity = connection.identity
            roles[identity.userID] = identity.role
            for topic in connection.topics { subscribers[topic, default: 0] += 1 }
        }
        var byModule: [String: (topics: Int, subscriptions: Int)] = [:]
        for (topic, count) in subscribers {
            let module = String(topic.prefix { $0 != ":" })
            byModule[module, default: (0, 0)].topics += 1
            byModule[module, default: (0, 0)].subscriptions += count
        }
        node = hub.node
        connections = open.count
        users = roles.count
        usersByRole = roles.values.reduce(into: [:]) { $0[$1.rawValue, default: 0] += 1 }
        modules = hub.flags.snapshot.map { flag in
            ModuleLoad(name: flag.name, enabled: flag.enabled, topics: byModule[flag.name]?.topics ?? 0,
                       subscriptions: byModule[flag.name]?.subscriptions ?? 0)
        }
        topics = subscribers.map { TopicLoad(topic: $0.key, subscribers: $0.value) }
            .sorted { ($0.subscribers, $1.topic) > ($1.subscribers, $0.topic) }
            .prefix(Self.topicLimit).map { $0 }
    }
}
