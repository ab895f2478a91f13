import Foundation
import HubKernel
import HubTesting
import NIOCore

/// Measures the kernel's hot path in process (no sockets): one command through the whole
/// pipeline (decode → route → flag → role → limit → decode payload → validate → handle →
/// encode → queue), and one publish fanned out to N local subscribers (encode once, one
/// queue write per subscriber). Run: `swift run -c release switchboard-bench`.
@main
struct HotPathBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let commands = Int(value(of: "--commands", in: arguments) ?? "200000")!
        let publishes = Int(value(of: "--publishes", in: arguments) ?? "20000")!
        let fanouts = (value(of: "--subscribers", in: arguments) ?? "1,100,1000").split(separator: ",").compactMap { Int($0) }

        try await TestHub.run(modules: [BenchModule.self], environment: ["RATE_LIMIT_BENCH_ECHO": "off", "HUB_OUTBOUND_MAX_FRAMES": "100000"]) { testHub in
            let hub = testHub.hub
            print("| benchmark | operations | total | per operation | per second |")
            print("| --- | ---: | ---: | ---: | ---: |")

            // 1. a command round trip through the pipeline
            let caller = await hub.open(identity: Identity(userID: "bench", displayName: "bench", role: .user),
                                        tokenExpiresAtMs: .max, remoteAddress: "127.0.0.1")
            _ = await caller.outbound.next()  // the welcome
            let frame = #"{"id":1,"type":"bench.echo","data":{"text":"hello","count":3}}"#
            for _ in 0..<1000 { await hub.receive(frame, on: caller); _ = await caller.outbound.next() }
            let started = ContinuousClock.now
            for _ in 0..<commands {
                await hub.receive(frame, on: caller)
                _ = await caller.outbound.next()
            }
            report("command: bench.echo round trip", commands, ContinuousClock.now - started)

            // 2. publish fan-out to N local subscribers
            struct Said: Encodable, Sendable { var text: String; var n: Int }
            for subscribers in fanouts {
                var connections: [Connection] = []
                for index in 0..<subscribers {
                    let connection = await hub.open(identity: Identity(userID: "s\(index)", displayName: "s", role: .user),
                                                    tokenExpiresAtMs: .max, remoteAddress: "127.0.0.1")
                    _ = await connection.outbound.next()
                    await hub.receive(#"{"id":1,"type":"hub.subscribe","data":{"topic":"bench:room-\#(subscribers)"}}"#, on: connection)
                    _ = await connection.outbound.next()
                    connections.append(connection)
                }
                let topic = Topic(unchecked: "bench:room-\(subscribers)")
                let rounds = max(1, publishes * 100 / max(subscribers, 100))
                let begin = ContinuousClock.now
                for n in 0..<rounds {
                    hub.eventPublisher.publish("bench.said", Said(text: "hello world", n: n), on: topic)
                    for connection in connections { _ = await connection.outbound.next() }
                }
                let elapsed = ContinuousClock.now - begin
                report("publish to \(subscribers) subscribers (per publish)", rounds, elapsed)
                report("  … per delivery", rounds * subscribers, elapsed)
                for connection in connections { await hub.close(connection) }
            }

            // 3. encoding one event frame (the part done once per publish)
            let payload = try JSONEncoder().encode(Said(text: "hello world", n: 1))
            let encodes = commands * 5
            let begin = ContinuousClock.now
            var bytes = 0
            for seq in 0..<encodes {
                bytes &+= OutboundFrame.event(type: "bench.said", topic: "bench:room", seq: Int64(seq), payload: payload).readableBytes
            }
            report("frame splice (event envelope)", encodes, ContinuousClock.now - begin)
            if bytes == 0 { print("unreachable") }
        }
    }

    static func value(of flag: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    static func report(_ name: String, _ operations: Int, _ elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perOperation = seconds / Double(operations) * 1e9
        let perSecond = Double(operations) / seconds
        print("| \(name) | \(operations) | \(String(format: "%.3f s", seconds)) | \(String(format: "%.0f ns", perOperation)) | \(String(format: "%.0f", perSecond)) |")
    }
}

/// A module with one cheap command, so the benchmark measures the kernel and not a database.
struct BenchModule: HubModule {
    static let name: ModuleName = "bench"
    init(setup: ModuleSetup) throws {}
    var commands: [any CommandHandler] { [Echo()] }
    func authorize(_ topic: Topic, for identity: Identity) async throws -> Bool { true }

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
        struct Reply: Encodable, Sendable { var text: String; var count: Int }
        func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
            Reply(text: payload.text, count: payload.count)
        }
    }
}
