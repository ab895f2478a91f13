import Synchronization
public import NIOCore

extension Hub {
    /// Decides whether `identity` may subscribe to `topic`: `user:<id>` only for that user;
    /// other topics ask their owning module.
    /// - Throws: `not_found` when no loaded module owns the topic, `feature_disabled` when
    ///   its module is off, `forbidden` when the module says no.
    public func authorizeSubscription(_ topic: Topic, for identity: Identity) async throws {
        try await access(to: topic, for: identity).require()
    }

    /// The answer for `topic`: the kernel's own for `user:<id>` and for a topic no loaded
    /// module owns, else its owning module's.
    /// - Throws: `feature_disabled` when the owning module is off; what the module throws.
    func access(to topic: Topic, for identity: Identity) async throws -> TopicAccess {
        let module = topic.module
        if module == "user" {
            return .allow(if: topic.localName == identity.userID, else: "only that user may subscribe to \(topic)")
        }
        guard let owner = moduleByName[module] else { return .notFound("no module owns topic '\(topic)'") }
        guard flags.isEnabled(module) else { throw HubError.featureDisabled(module) }
        return try await owner.authorize(topic, for: identity)
    }

    /// Subscribes without a reply (server-initiated). - Returns: the topic's current `seq`.
    ///
    /// In cluster mode a topic this node does not follow yet has its position read from the
    /// database; should that fail, the subscription still holds and the position is read
    /// again in the background (the returned `seq` is then 0).
    @discardableResult
    func subscribe(_ connection: Connection, to topic: String) async -> Int64 {
        let seq = connections.subscribe(connection, to: topic)
        guard let cluster, !topics.isAnchored(topic) else { return seq }
        guard let latest = try? await cluster.latest(of: topic) else { return seq }
        topics.anchor(topic, latest: latest, events: [])
        return max(seq, latest)
    }

    /// Subscribes and queues the `hub.subscribe` reply under the topic's lock, so no live
    /// event overtakes the reply and its replay.
    /// - Throws: `conflict` over the subscription cap; in cluster mode `unavailable` when the
    ///   topic's position cannot be read.
    func subscribe(_ connection: Connection, to topic: Topic, since: Int64?, replyTo id: CommandID?) async throws {
        let isNew = try connection.state.withLock { state -> Bool in
            if state.topics.contains(topic.name) { return false }
            guard state.topics.count < settings.maxSubscriptionsPerConnection else {
                throw HubError.conflict("at most \(settings.maxSubscriptionsPerConnection) subscriptions per connection")
            }
            state.topics.insert(topic.name)
            return true
        }
        if !isNew { topics.unsubscribe(connection, from: topic.name) }
        let reply = { (subscription: TopicRegistry.Subscription) in
            if let id {
                connection.send(Self.subscribeReply(id: id, topic: topic, subscription: subscription))
            } else {
                for event in subscription.missed { connection.send(event) }
            }
        }
        guard let cluster else { return topics.subscribe(connection, to: topic.name, since: since, reply: reply) }
        do {
            try await topics.subscribe(connection, to: topic.name, since: since,
                                       read: { try await cluster.position(of: topic.name, since: $0) }, reply: reply)
        } catch {
            connection.state.withLock { _ = $0.topics.remove(topic.name) }
            throw error
        }
    }

    func unsubscribe(_ connection: Connection, from topic: String) {
        connection.state.withLock { _ = $0.topics.remove(topic) }
        topics.unsubscribe(connection, from: topic)
    }

    private static func subscribeReply(id: CommandID, topic: Topic, subscription: TopicRegistry.Subscription) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeStaticString("{\"topic\":")
        OutboundFrame.writeJSONString(topic.name, into: &payload)
        payload.writeString(",\"seq\":\(subscription.seq),\"recovered\":\(subscription.recovered),\"missed\":[")
        for (index, event) in subscription.missed.enumerated() {
            if index > 0 { payload.writeStaticString(",") }
            var event = event
            payload.writeBuffer(&event)
        }
        payload.writeStaticString("]}")
        return OutboundFrame.reply(to: id, payload: payload)
    }
}
