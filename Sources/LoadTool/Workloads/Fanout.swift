import ArgumentParser

/// `fanout`: C subscribers in one room, one sender at R messages/s for T seconds.
struct Fanout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "C subscribers in one room, one sender at R msgs/s for T s.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var messages: MessageOptions

    @Option(help: "Subscribers in the room.")
    var subs = 100

    @Option(help: "Messages per second from the sender.")
    var rate = 100.0

    @Option(help: "Room name.")
    var room = "bench"

    func validate() throws {
        guard (1...50_000).contains(subs) else { throw ValidationError("--subs must be 1…50000") }
        guard rate > 0, rate <= 100_000 else { throw ValidationError("--rate must be in (0, 100000]") }
    }

    func run() async throws {
        try await server.withRun { run, accounts in
            var report = Report(target: run.target, workload: "fanout", parameters: [
                "subs": "\(subs)", "rate": "\(rate)", "duration": "\(messages.duration)", "size": "\(messages.size)",
            ])
            let tokens: [String?] = run.target.authenticates
                ? try await accounts.tokens(subs + 1, kind: .register, label: "fanout")
                : Array(repeating: nil, count: subs + 1)
            let room = self.room
            let opened = try await run.open(count: subs, tokens: Array(tokens.prefix(subs)), concurrency: server.concurrency) { _ in room }
            report.record(opened)
            let senderOpened = try await run.open(count: 1, tokens: [tokens[subs]], concurrency: 1, records: false) { _ in room }
            guard senderOpened.opened == 1 else { throw ClientError.refused(status: 0, body: "sender: \(senderOpened.failures)") }
            let sender = try await run.onLoop { run.sockets[run.sockets.count - 1] }
            report.notReady = try await run.awaitReady(
                sender: sender, room: room, expected: opened.opened, timeout: .seconds(messages.readyTimeout))

            let live = opened.opened
            let start = server.probe.sample()
            let closedBefore = try await run.onLoop { run.closedCount }
            let padding = messages.padding
            let paced = try await run.pace(rate: rate, duration: messages.duration, send: { seq in
                run.sendChat(from: sender, room: room, seq: seq, padding: padding, acknowledged: true, flush: false)
            }, flush: { sender.flush() })
            try await run.drain(expected: paced.sent * live, quiet: messages.drain, cap: messages.drainCap)
            let end = server.probe.sample()
            try await run.deliveries(
                into: &report, sent: paced.sent, expected: paced.sent * live, sendSeconds: paced.seconds,
                offeredPerSecond: rate * Double(live), measuredFrom: start.wall)
            report.cost(from: start, to: end, deliveries: report.delivered ?? 0)
            report.closedDuringRun = try await run.onLoop { run.closedCount } - closedBefore
            if paced.seconds > messages.duration + 1 {
                report.notes.append("the sender could not keep the pace: this run is client-limited")
            }
            return report
        }
    }
}
