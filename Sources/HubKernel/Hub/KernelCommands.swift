import Synchronization
/// The kernel's own commands, in the reserved `hub.` namespace.
enum KernelCommands {
    static let all: [any CommandHandler] = [Ping(), Subscribe(), Unsubscribe(), Authenticate()]

    /// The `topic` field rule shared by subscribe and unsubscribe.
    static func checkTopic(_ name: String) throws(ValidationFailure) {
        guard Topic(name) != nil else {
            throw ValidationFailure("topic", "topic must be '<module>:<name>', at most \(Topic.maxLength) bytes, without control characters")
        }
    }

    /// `hub.ping {}` → `{serverTime}`: a round-trip check and the server's clock.
    struct Ping: CommandHandler {
        static let type: CommandType = "hub.ping"
        static let role: Role = .guest
        static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .connection)
        struct Payload: Decodable, Sendable {}
        struct Reply: Encodable, Sendable { var serverTime: Int64 }
        func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
            Reply(serverTime: context.clock.nowMs())
        }
    }

    /// `hub.subscribe {topic, since?}` → `{topic, seq, recovered, missed}`.
    struct Subscribe: CommandHandler {
        static let type: CommandType = "hub.subscribe"
        static let role: Role = .guest
        static let rateLimit = RateLimit(50, per: .seconds(1), burst: 100, scope: .connection)
        struct Payload: Decodable, Sendable, Validatable {
            var topic: String
            var since: Int64?
            func validate() throws(ValidationFailure) {
                try KernelCommands.checkTopic(topic)
                if let since, since < 0 { throw ValidationFailure("since", "since must be a sequence number ≥ 0") }
            }
        }
        func handle(_ payload: Payload, context: CommandContext) async throws -> ReplySentDirectly {
            let topic = Topic(unchecked: payload.topic)
            try await context.hub.authorizeSubscription(topic, for: context.identity)
            try await context.hub.subscribe(context.connection, to: topic, since: payload.since, replyTo: context.commandID)
            return ReplySentDirectly()
        }
    }

    /// `hub.unsubscribe {topic}` → `{}`; unsubscribing from a topic one is not on is a no-op.
    struct Unsubscribe: CommandHandler {
        static let type: CommandType = "hub.unsubscribe"
        static let role: Role = .guest
        static let rateLimit = RateLimit(50, per: .seconds(1), burst: 100, scope: .connection)
        struct Payload: Decodable, Sendable, Validatable {
            var topic: String
            func validate() throws(ValidationFailure) { try KernelCommands.checkTopic(topic) }
        }
        func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply {
            context.hub.unsubscribe(context.connection, from: payload.topic)
            return EmptyReply()
        }
    }

    /// `hub.auth {accessToken}` → `{expiresIn}`: swaps in a fresh token of the same user.
    struct Authenticate: CommandHandler {
        static let type: CommandType = "hub.auth"
        static let role: Role = .guest
        static let rateLimit = RateLimit(10, per: .seconds(60), burst: 5, scope: .connection)
        struct Payload: Decodable, Sendable, Validatable {
            var accessToken: String
            func validate() throws(ValidationFailure) {
                guard !accessToken.isEmpty else { throw ValidationFailure("accessToken", "accessToken is required") }
            }
        }
        struct Reply: Encodable, Sendable { var expiresIn: Int }
        func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
            let (identity, expiresAt) = try await context.hub.tokens.verify(payload.accessToken)
            guard identity.userID == context.identity.userID else {
                throw HubError.forbidden("the token belongs to another user; reconnect to switch users")
            }
            let now = context.clock.nowMs()
            context.connection.state.withLock { state in
                state.identity = identity
                state.tokenExpiresAtMs = expiresAt
                state.admittedAtMs = now
                state.expiryWarned = false
            }
            return Reply(expiresIn: Int((expiresAt - now) / 1000))
        }
    }
}
