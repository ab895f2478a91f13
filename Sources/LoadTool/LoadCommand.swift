import ArgumentParser
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `switchboard-load`: drives a running server over real sockets with the public protocol
/// and reports sent, delivered, lost, rates, latency percentiles and CPU cost, as a table
/// and as JSON. See docs/benchmarks.md for the commands behind every published figure.
@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-load",
        abstract: "Load generator for Switchboard (and the hb-raw transport ceiling), loopback only.",
        subcommands: [Fanout.self, Rooms.self, Idle.self, Connect.self, Mixed.self]
    )
}

/// Where the server is and where results go; shared by every workload.
struct ServerOptions: ParsableArguments {
    @Option(help: "switchboard, or a peer of ../shared/bench/peers: hb-raw (the transport ceiling, also this tool's own), socketio, django-channels.")
    var target: Target.Kind = .switchboard

    @Option(help: "Server host (loopback only).")
    var host = "127.0.0.1"

    @Option(help: "Server port (default: switchboard 8080, hb-raw 8103, socketio 8102, django-channels 8101).")
    var port: Int?

    @Option(help: "Spread connections round-robin over these ports, comma-separated: the nodes of a Switchboard cluster (docs/cluster.md). Accounts are made on the first.")
    var ports: String?

    @Option(name: .customLong("server-pid"), help: "Server process id, for its CPU and RSS readings.")
    var serverPID: Int32?

    @Option(help: "Handshakes in flight while connecting.")
    var concurrency = 100

    @Option(help: "Write the report as JSON to this file.")
    var json: String?

    func validate() throws {
        guard host.hasPrefix("127.") || host == "localhost" || host == "::1" else {
            throw ValidationError("switchboard-load only targets loopback")
        }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        if let ports, parsedPorts(ports).isEmpty { throw ValidationError("--ports must list ports, e.g. 8080,8081,8082") }
    }

    private func parsedPorts(_ list: String) -> [Int] {
        list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { (1...65535).contains($0) }
    }

    var resolvedTarget: Target {
        let spread = ports.map(parsedPorts) ?? []
        var target = Target(kind: target, host: host, port: spread.first ?? port ?? target.defaultPort)
        target.ports = spread
        return target
    }

    var probe: ProcessProbe { ProcessProbe(serverPID: serverPID) }

    /// Runs `body` with a fresh single-threaded event loop: the whole client on one core.
    func withRun(_ body: (LoadRun, AccountFactory) async throws -> Report) async throws {
        ProcessProbe.raiseFileLimit()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let target = resolvedTarget
        let run = LoadRun(target: target, loop: loop)
        let accounts = AccountFactory(host: target.host, port: target.port, eventLoop: loop)
        do {
            let report = try await body(run, accounts)
            try? await run.closeAll()
            print(report.table())
            if let json {
                try (try report.json() + "\n").write(toFile: json, atomically: true, encoding: .utf8)
            }
        } catch {
            try? await run.closeAll()
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}

/// Options of the message workloads.
struct MessageOptions: ParsableArguments {
    @Option(help: "Seconds of sending.")
    var duration = 10.0

    @Option(help: "Approximate chat text length in bytes.")
    var size = 100

    @Option(help: "Stop draining after this many seconds without a delivery.")
    var drain = 3.0

    @Option(name: .customLong("drain-cap"), help: "Longest wait after sending ends, seconds.")
    var drainCap = 20.0

    @Option(name: .customLong("ready-timeout"), help: "Longest wait for every subscriber to see a probe, seconds.")
    var readyTimeout = 60.0

    func validate() throws {
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be in (0, 3600]") }
        guard (40...4000).contains(size) else { throw ValidationError("--size must be 40…4000") }
    }

    var padding: String { String(repeating: "x", count: max(0, size - 40)) }
}
