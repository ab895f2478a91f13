import Foundation
import HubKernel
import SQLKit

/// A module made for kernel tests: one command per pipeline rule.
struct ProbeModule: HubModule {
    static let name: ModuleName = "probe"

    let publisher: EventPublisher<ProbeModule>

    init(setup: ModuleSetup) throws {
        publisher = try setup.events(for: ProbeModule.self)
    }

    var migrations: [any Migration] { [Probe001CreateNotes(), Probe002CreateRecords()] }
    var commands: [any CommandHandler] {
        [Echo(), AdminOnly(), Limited(), UserLimited(), Boom(), PublishEvent(events: publisher), Slow(), Note(),
         RecordInTransaction(events: publisher), AgentOnly()]
    }

    var events: [any HubEvent.Type] { [Said.self, SaidEphemerally.self, Recorded.self] }

    /// `probe.said {text}`, numbered.
    struct Said: HubEvent {
        typealias Module = ProbeModule
        static let name = "said"
        var text: String
    }

    /// `probe.said {text}` without a number (an ephemeral event of the same name).
    struct SaidEphemerally: HubEvent {
        typealias Module = ProbeModule
        static let name = "said"
        static let isSequenced = false
        var text: String
    }

    /// `probe.recorded {text}` on `probe:open-records`, published in the writing transaction.
    struct Recorded: HubEvent {
        typealias Module = ProbeModule
        static let name = "recorded"
        var text: String
    }

    func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
        if topic.localName == "missing" { return .notFound("no such probe topic") }
        return .allow(if: topic.localName.hasPrefix("open"), else: "probe topics that are not open are closed")
    }

    /// `probe.echo {text}`: 1–10 characters.
    struct Echo: CommandHandler {
        static let type: CommandType = "probe.echo"
        static let role: Role = .guest
        static let rateLimit = RateLimit(1000, per: .seconds(1), scope: .connection)
        struct Payload: Decodable, Sendable, Validatable {
            var text: String
            var count: Int?
            func validate() throws(ValidationFailure) {
                guard (1...10).contains(text.count) else { throw ValidationFailure("text", "text must be 1 to 10 characters") }
            }
        }
        struct Reply: Encodable, Sendable { var text: String; var user: String }
        func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
            Reply(text: payload.text, user: context.identity.userID)
        }
    }

    struct AdminOnly: CommandHandler {
        static let type: CommandType = "probe.admin"
        static let role: Role = .admin
        static let rateLimit = RateLimit(100, per: .seconds(1))
        struct Payload: Decodable, Sendable {}
        func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply { EmptyReply() }
    }

    struct AgentOnly: CommandHandler {
        static let type: CommandType = "probe.agent"
        static let role: Role = .agent
        static let rateLimit = RateLimit(100, per: .seconds(1))
        struct Payload: Decodable, Sendable {}
        func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply { EmptyReply() }
    }

    /// Two per minute per connection, burst 2.
    struct Limited: CommandHandler {
        static let type: CommandType = "probe.limited"
        static let role: Role = .guest
        static let rateLimit = RateLimit(2, per: .seconds(60), scope: .connection)
        struct Payload: Decodable, Sendable {}
        func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply { EmptyReply() }
    }

    /// Two per minute per user, whatever the connection.
    struct UserLimited: CommandHandler {
        static let type: CommandType = "probe.userLimited"
        static let role: Role = .guest
        static let rateLimit = RateLimit(2, per: .seconds(60), scope: .user)
        struct Payload: Decodable, Sendable {}
        func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply { EmptyReply() }
    }

    struct ProbeBug: Error {}

    struct Boom: CommandHandler {
        static let type: CommandType = "probe.boom"
        static let role: Role = .guest
        static let rateLimit = RateLimit(100, per: .seconds(1))
        struct Payload: Decodable, Sendable {}
        func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply { throw ProbeBug() }
    }

    /// `probe.publish {topic, text, sequenced}` publishes `probe.said {text}` on `probe:<topic>`.
    struct PublishEvent: CommandHandler {
        static let type: CommandType = "probe.publish"
        static let role: Role = .guest
        static let rateLimit = RateLimit(10_000, per: .seconds(1))
        struct Payload: Decodable, Sendable { var topic: String; var text: String; var sequenced: Bool? }
        struct Reply: Encodable, Sendable { var seq: Int64? }
        let events: EventPublisher<ProbeModule>
        func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
            let topic = ModuleTopic<ProbeModule>(payload.topic)
            if payload.sequenced == false {
                return Reply(seq: try await events.publish(SaidEphemerally(text: payload.text), on: topic))
            }
            return Reply(seq: try await events.publish(Said(text: payload.text), on: topic))
        }
    }

    struct Slow: CommandHandler {
        static let type: CommandType = "probe.slow"
        static let role: Role = .guest
        static let rateLimit = RateLimit(100, per: .seconds(1))
        struct Payload: Decodable, Sendable { var ms: Int }
        func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply {
            try await Task.sleep(for: .milliseconds(payload.ms))
            return EmptyReply()
        }
    }

    /// `probe.note {text}` stores a row (to test persistence and database failure).
    struct Note: CommandHandler {
        static let type: CommandType = "probe.note"
        static let role: Role = .user
        static let rateLimit = RateLimit(1000, per: .seconds(1))
        struct Payload: Decodable, Sendable { var text: String }
        struct Reply: Encodable, Sendable { var id: String }
        func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
            let id = UUID().uuidString
            try await context.database.withConnection { sql in
                try await sql.raw("INSERT INTO probe_notes (id, text) VALUES (\(bind: id), \(bind: payload.text))").run()
            }
            return Reply(id: id)
        }
    }
}

/// `probe.record {text, parent}` writes a record and publishes `probe.recorded {text}` on
/// `probe:open-records` in the same transaction. The foreign key to `probe_parents` is checked
/// only at COMMIT (deferred): a `parent` other than 1 makes the commit itself fail after every
/// statement succeeded, which is how tests prove that no reply or event leaves before the commit.
struct RecordInTransaction: CommandHandler {
    static let type: CommandType = "probe.record"
    static let role: Role = .user
    static let rateLimit = RateLimit(1000, per: .seconds(1))
    struct Payload: Decodable, Sendable { var text: String; var parent: Int }
    let events: EventPublisher<ProbeModule>
    func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply {
        try await context.database.transaction { transaction in
            try await transaction.raw("INSERT INTO probe_records (text, parent) VALUES (\(bind: payload.text), \(bind: payload.parent))").run()
            // attached to the transaction: delivered after its commit, never if the commit fails
            try await events.publish(ProbeModule.Recorded(text: payload.text), on: ModuleTopic("open-records"), in: transaction)
        }
        return EmptyReply()
    }
}

struct Probe002CreateRecords: Migration {
    let name = "probe.002_create_records"
    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("CREATE TABLE probe_parents (id INTEGER PRIMARY KEY)").run()
        try await database.raw("INSERT INTO probe_parents (id) VALUES (1)").run()
        try await database.raw("""
            CREATE TABLE probe_records (
                text TEXT PRIMARY KEY,
                parent INTEGER NOT NULL REFERENCES probe_parents (id) DEFERRABLE INITIALLY DEFERRED
            )
            """).run()
    }
    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE probe_records").run()
        try await database.raw("DROP TABLE probe_parents").run()
    }
}

struct Probe001CreateNotes: Migration {
    let name = "probe.001_create_notes"
    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("CREATE TABLE probe_notes (id TEXT PRIMARY KEY, text TEXT NOT NULL)").run()
    }
    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE probe_notes").run()
    }
}
