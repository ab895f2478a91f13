import Foundation
import Testing
import HubTesting
@testable import HubKernel

/// A module that claims `probe.echo`, which ProbeModule owns too.
struct ClashingModule: HubModule {
    static let name: ModuleName = "clash"
    init(setup: ModuleSetup) throws {}
    var commands: [any CommandHandler] { [ProbeModule.Echo()] }
}

/// A module whose command is outside its namespace.
struct TrespassingModule: HubModule {
    static let name: ModuleName = "trespass"
    init(setup: ModuleSetup) throws {}
    var commands: [any CommandHandler] { [ProbeModule.Limited()] }
}

struct TwinModule: HubModule {
    static let name: ModuleName = "twin"
    init(setup: ModuleSetup) throws {}
    var commands: [any CommandHandler] { [Hello(), Hello()] }
    struct Hello: CommandHandler {
        static let type: CommandType = "twin.hello"
        static let role: Role = .guest
        static let rateLimit = RateLimit(1, per: .seconds(1))
        struct Payload: Decodable, Sendable {}
        func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply { EmptyReply() }
    }
}

/// A module whose replies come with their JSON already encoded (``EncodedReply``).
struct EncodedModule: HubModule {
    static let name: ModuleName = "encoded"
    init(setup: ModuleSetup) throws {}
    var commands: [any CommandHandler] { [Answer()] }
    struct Answer: CommandHandler {
        static let type: CommandType = "encoded.answer"
        static let role: Role = .guest
        static let rateLimit = RateLimit(100, per: .seconds(1))
        struct Payload: Decodable, Sendable { var supplied: Bool }
        struct Value: Encodable, Sendable { var n: Int }
        /// JSON that differs from `Value` encoded, so the reply shows which one was sent.
        static let supplied = Data(#"{"n":1,"from":"handler"}"#.utf8)
        func handle(_ payload: Payload, context: CommandContext) async throws -> EncodedReply<Value> {
            payload.supplied ? EncodedReply(Value(n: 1), json: Self.supplied) : EncodedReply(Value(n: 2))
        }
    }
}

@Suite("Route table")
struct RouteTableTests {
    @Test("an EncodedReply's JSON is the reply's data byte for byte; without JSON its value is encoded")
    func encodedReply() async throws {
        try await TestHub.run(modules: [EncodedModule.self]) { hub in
            let client = try await hub.client()
            let supplied = try await client.send("encoded.answer", ["supplied": true])
            #expect(supplied.ok && supplied.data == ["n": 1, "from": "handler"])
            #expect(supplied.text.contains(#""data":{"n":1,"from":"handler"}"#), "the handler's bytes, not re-encoded: \(supplied.text)")
            let encoded = try await client.send("encoded.answer", ["supplied": false])
            #expect(encoded.ok && encoded.data == ["n": 2])
            // encoding the reply itself (a caller outside the route table) encodes the value
            let reply = EncodedReply(EncodedModule.Answer.Value(n: 3), json: EncodedModule.Answer.supplied)
            #expect(String(decoding: try JSONEncoder().encode(reply), as: UTF8.self) == #"{"n":3}"#)
        }
    }

    @Test("two handlers claiming one type fail start-up naming both modules") func duplicate() async throws {
        do {
            try await TestHub.run(modules: [TwinModule.self]) { _ in }
            Issue.record("expected a route conflict")
        } catch let error as RouteConflict {
            #expect(error.type == "twin.hello")
            #expect(error.modules == ["twin", "twin"])
        }
    }

    @Test("a type outside the module's namespace fails start-up") func namespace() async throws {
        do {
            try await TestHub.run(modules: [ProbeModule.self, ClashingModule.self]) { _ in }
            Issue.record("expected an invalid route")
        } catch let error as InvalidRoute {
            #expect(error.module == "clash")
            #expect(error.type == "probe.echo")
        }
        await #expect(throws: InvalidRoute.self) { try await TestHub.run(modules: [TrespassingModule.self]) { _ in } }
    }

    @Test("the table holds kernel and module routes with role and limit") func contents() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            let routes = testHub.hub.routes
            #expect(routes["hub.ping"]?.module == "hub")
            #expect(routes["probe.admin"]?.role == .admin)
            #expect(routes["probe.limited"]?.rateLimit == RateLimit(2, per: .seconds(60), scope: .connection))
        }
    }

    @Test("RATE_LIMIT_<MODULE>_<ACTION> overrides a handler's limit, keeping its scope") func override() async throws {
        try await TestHub.run(modules: [ProbeModule.self], environment: ["RATE_LIMIT_PROBE_LIMITED": "100/1s:50"]) { testHub in
            let limit = try #require(testHub.hub.routes["probe.limited"]?.rateLimit)
            #expect(limit.count == 100 && limit.burst == 50 && limit.scope == .connection)
        }
        try await TestHub.run(modules: [ProbeModule.self], environment: ["MODULES_PROBE_RATE_LIMITS_LIMITED": "off"]) { testHub in
            #expect(testHub.hub.routes["probe.limited"]?.rateLimit.isOff == true)
        }
    }

    @Test("an invalid override fails start-up naming the command") func badOverride() async throws {
        do {
            try await TestHub.run(modules: [ProbeModule.self], environment: ["RATE_LIMIT_PROBE_LIMITED": "lots"]) { _ in }
            Issue.record("expected a configuration error")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("probe.limited"))
        }
    }

    @Test("an invalid override of an HTTP route's limit fails start-up too, naming the route") func badHTTPOverride() async throws {
        do {
            try await TestHub.run(modules: [ProbeModule.self], environment: ["RATE_LIMIT_AUTH_LOGIN": "ten/1s"]) { _ in }
            Issue.record("expected a configuration error")
        } catch let error as ConfigurationError {
            #expect(error.message == "rate limit for auth.login ('ten/1s') must be COUNT/PERIOD[:BURST] (e.g. 10/60s:5) or off")
        }
        try await TestHub.run(modules: [ProbeModule.self], environment: ["RATE_LIMIT_AUTH_LOGIN": "2/60s:2"]) { testHub in
            #expect(testHub.hub.httpRateLimits["auth.login"] == RateLimit(2, per: .seconds(60), burst: 2, scope: .ip))
            #expect(testHub.hub.httpRateLimits["auth.guest"] == RateLimit(30, per: .seconds(60), scope: .ip))
        }
    }

    @Test("MODULES_ENABLED loads only the named modules and refuses unknown names") func enabled() async throws {
        try await TestHub.run(modules: [ProbeModule.self, TwinModule.self], environment: ["MODULES_ENABLED": "probe"]) { testHub in
            #expect(testHub.hub.flags.loaded == ["probe"])
        }
        await #expect(throws: ConfigurationError.self) {
            try await TestHub.run(modules: [ProbeModule.self], environment: ["MODULES_ENABLED": "probe,nope"]) { _ in }
        }
    }
}
