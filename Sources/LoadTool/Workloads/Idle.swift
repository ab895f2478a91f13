import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// `idle`: K idle authenticated connections; the server's RSS per connection.
struct Idle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "K idle authenticated connections; server RSS per connection (needs --server-pid).")

    @OptionGroup var server: ServerOptions

    @Option(help: "Connections to open and hold.")
    var conns = 10_000

    @Option(help: "Seconds to wait after opening before reading RSS.")
    var settle = 3.0

    @Option(help: "Seconds to hold the connections after the reading (closures are counted).")
    var hold = 5.0

    func validate() throws {
        guard (1...60_000).contains(conns) else { throw ValidationError("--conns must be 1…60000") }
    }

    func run() async throws {
        try await server.withRun { run, accounts in
            var report = Report(target: run.target, workload: "idle", parameters: [
                "conns": "\(conns)", "settle": "\(settle)", "hold": "\(hold)", "concurrency": "\(server.concurrency)",
            ])
            let tokenStart = LoadRun.now()
            let tokens: [String?] = run.target.authenticates
                ? try await accounts.tokens(conns, kind: .guest, label: "idle")
                : Array(repeating: nil, count: conns)
            if run.target.authenticates {
                report.tokensPerSecond = (Double(conns) / (Double(LoadRun.now() - tokenStart) / 1e9)).rounded()
            }
            try await Task.sleep(for: .seconds(1))
            let pid = server.serverPID
            report.rssBeforeKiB = pid.flatMap(ProcessProbe.residentKiB(pid:))
            let ownBefore = ProcessProbe.residentKiB(pid: getpid())
            let opened = try await run.open(count: conns, tokens: tokens, concurrency: server.concurrency) { _ in nil }
            report.record(opened)
            report.connectSeconds = round2(opened.seconds)
            report.connectsPerSecond = (Double(opened.opened) / opened.seconds).rounded()
            try await Task.sleep(for: .milliseconds(Int(settle * 1000)))
            report.rssAfterKiB = pid.flatMap(ProcessProbe.residentKiB(pid:))
            if let before = report.rssBeforeKiB, let after = report.rssAfterKiB, opened.opened > 0 {
                report.rssKiBPerConnection = round2(Double(after - before) / Double(opened.opened))
            } else {
                report.notes.append("no --server-pid: RSS not read")
            }
            // this tool's own cost: a bare NIO channel and pipeline per connection, no task
            if let ownBefore, let ownAfter = ProcessProbe.residentKiB(pid: getpid()), opened.opened > 0 {
                report.clientRSSKiBPerConnection = round2(Double(ownAfter - ownBefore) / Double(opened.opened))
            }
            let closedBefore = try await run.onLoop { run.closedCount }
            try await Task.sleep(for: .milliseconds(Int(hold * 1000)))
            report.closedDuringRun = try await run.onLoop { run.closedCount } - closedBefore
            return report
        }
    }
}
