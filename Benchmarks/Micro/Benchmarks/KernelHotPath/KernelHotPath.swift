import Benchmark
import Foundation
import HubKernel
import HubTesting
import NIOCore

/// The kernel's hot path, in process (no sockets), with allocation counts:
/// frame decode, a command through the whole pipeline, one event envelope, and a publish
/// fanned out to N local queues. The socket side is measured by `switchboard-load`.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
        warmupIterations: 1, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 20)
    let environment = ["RATE_LIMIT_BENCH_ECHO": "off", "HUB_OUTBOUND_MAX_FRAMES": "100000"]
    let echo = #"{"id":1,"type":"bench.echo","data":{"text":"hello","count":3}}"#

    Benchmark("frame decode (envelope scan)", configuration: configuration) { benchmark in
        let frame = Data(echo.utf8)
        let decoder = JSONDecoder()
        for _ in benchmark.scaledIterations {
            blackHole(Envelope.parse(frame, decoder: decoder))
        }
    }

    Benchmark("command round trip (decode, route, validate, handle, encode, queue)", configuration: configuration) { benchmark in
        nonisolated(unsafe) let benchmark = benchmark
        try await TestHub.run(modules: [BenchModule.self], environment: environment) { testHub in
            let hub = testHub.hub
            let caller = await hub.open(identity: Identity(userID: "bench", displayName: "bench", role: .user),
                                        tokenExpiresAtMs: .max, remoteAddress: "127.0.0.1")
            _ = await caller.outbound.next()  // the welcome
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                await hub.receive(echo, on: caller)
                blackHole(await caller.outbound.next())
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("event envelope (encode once per publish)", configuration: configuration) { benchmark in
        let payload = try JSONEncoder().encode(Said(text: "hello world", n: 1))
        for seq in benchmark.scaledIterations {
            blackHole(OutboundFrame.event(type: "bench.said", topic: "bench:room", seq: Int64(seq), payload: payload))
        }
    }

    for subscribers in [100, 1000] {
        let perDelivery = Benchmark.Configuration(
            metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
            warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 2000)
        Benchmark("fan-out: one publish to \(subscribers) queues, each drained", configuration: perDelivery) { benchmark in
            nonisolated(unsafe) let benchmark = benchmark
            try await TestHub.run(modules: [BenchModule.self], environment: environment) { testHub in
                let hub = testHub.hub
                var connections: [Connection] = []
                for index in 0..<subscribers {
                    let connection = await hub.open(identity: Identity(userID: "s\(index)", displayName: "s", role: .user),
                                                    tokenExpiresAtMs: .max, remoteAddress: "127.0.0.1")
                    _ = await connection.outbound.next()
                    await hub.receive(#"{"id":1,"type":"hub.subscribe","data":{"topic":"bench:fan"}}"#, on: connection)
                    _ = await connection.outbound.next()
                    connections.append(connection)
                }
                guard let events = hub.modules.compactMap({ $0 as? BenchModule }).first?.publisher else { return }
                let topic = ModuleTopic<BenchModule>("fan")
                benchmark.startMeasurement()
                for n in benchmark.scaledIterations {
                    try await events.publish(Said(text: "hello world", n: n), on: topic)
                    for connection in connections { blackHole(await connection.outbound.next()) }
                }
                benchmark.stopMeasurement()
                for connection in connections { await hub.close(connection) }
            }
        }
    }
}

/// `bench.said {text, n}`.
struct Said: HubEvent {
    typealias Module = BenchModule
    static let name = "said"
    var text: String
    var n: Int
}

/// A module with one cheap command, so the benchmark measures the kernel and not a database.
struct BenchModule: HubModule {
    static let name: ModuleName = "bench"
    let publisher: EventPublisher<BenchModule>
    init(setup: ModuleSetup) throws { publisher = try setup.events(for: BenchModule.self) }
    var commands: [any CommandHandler] { [Echo()] }
    func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess { .allow }

    struct Echo: CommandHandler {
        static let type: CommandType = "bench.echo"
        static let role: Role = .guest
        static let rateLimit = RateLimit(100, per: .seconds(1))
        struct Payload: Decodable, Sendable, Validatable {
            var text: String
            var count: Int
            func validate() throws(ValidationFailure) {
                guard (1...100).contains(text.count) else { throw ValidationFailure("text", "text must be 1 to 100 characters") }
            }
        }
        struct Reply: Encodable, Sendable {
            var text: String
            var count: Int
        }
        func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
            Reply(text: payload.text, count: payload.count)
        }
    }
}
