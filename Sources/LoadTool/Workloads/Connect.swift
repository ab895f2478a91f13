import ArgumentParser

/// `connect`: authenticated connects per second until K are open.
struct Connect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Authenticated connects per second until K are open.")

    @OptionGroup var server: ServerOptions

    @Option(help: "Connections to open.")
    var conns = 2000

    func validate() throws {
        guard (1...60_000).contains(conns) else { throw ValidationError("--conns must be 1…60000") }
    }

    func run() async throws {
        try await server.withRun { run, accounts in
            var report = Report(target: run.target, workload: "connect", parameters: [
                "conns": "\(conns)", "concurrency": "\(server.concurrency)",
            ])
            // Tokens come first (as a client that already signed in); the measured phase is
            // the upgrade, the token check and hub.welcome.
            let tokenStart = LoadRun.now()
            let tokens: [String?] = run.target.authenticates
                ? try await accounts.tokens(conns, kind: .guest, label: "connect")
                : Array(repeating: nil, count: conns)
            if run.target.authenticates {
                report.tokensPerSecond = (Double(conns) / (Double(LoadRun.now() - tokenStart) / 1e9)).rounded()
            }
            try await Task.sleep(for: .milliseconds(500))
            let start = server.probe.sample()
            let opened = try await run.open(count: conns, tokens: tokens, concurrency: server.concurrency) { _ in nil }
            let end = server.probe.sample()
            report.record(opened)
            report.connectSeconds = round2(opened.seconds)
            report.connectsPerSecond = (Double(opened.opened) / opened.seconds).rounded()
            report.cost(from: start, to: end, deliveries: 0)
            return report
        }
    }
}
