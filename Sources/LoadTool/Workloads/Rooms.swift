import ArgumentParser

/// `rooms`: N rooms of M members, every member sending at a low rate.
struct Rooms: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "N rooms of M members, every member sending at a low rate.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var messages: MessageOptions

    @Option(help: "Rooms.")
    var rooms = 100

    @Option(help: "Members per room (each is one connection).")
    var members = 10

    @Option(name: .customLong("member-rate"), help: "Messages per second per member.")
    var memberRate = 0.1

    @Option(help: "Room name prefix (rooms are <prefix>-<n>).")
    var room = "bench"

    func validate() throws {
        guard rooms >= 1, members >= 2, rooms * members <= 50_000 else {
            throw ValidationError("--rooms ≥ 1, --members ≥ 2, at most 50000 connections")
        }
        guard memberRate > 0 else { throw ValidationError("--member-rate must be positive") }
    }

    func run() async throws {
        try await server.withRun { run, accounts in
            let total = rooms * members
            var report = Report(target: run.target, workload: "rooms", parameters: [
                "rooms": "\(rooms)", "members": "\(members)", "memberRate": "\(memberRate)",
                "duration": "\(messages.duration)", "size": "\(messages.size)",
            ])
            let tokens: [String?] = run.target.authenticates
                ? try await accounts.tokens(total, kind: .register, label: "rooms")
                : Array(repeating: nil, count: total)
            let members = self.members
            let prefix = room
            let roomOf: @Sendable (Int) -> String = { "\(prefix)-\($0 / members)" }
            let opened = try await run.open(count: total, tokens: tokens, concurrency: server.concurrency) { roomOf($0) }
            report.record(opened)

            // Every socket must see a probe from its own room's first live member.
            let firsts = try await run.onLoop { () -> [(ClientSocket, String, Int)] in
                let live = run.sockets.filter { !$0.isClosed }
                let byRoom = Dictionary(grouping: live) { roomOf($0.index) }
                return byRoom.map { ($0.value[0], $0.key, $0.value.count) }
            }
            var notReady = 0
            let deadline = ContinuousClock.now + .seconds(messages.readyTimeout)
            var probe = 0
            while try await run.onLoop({ run.readyCount }) < opened.opened, ContinuousClock.now < deadline {
                probe += 1
                let seq = -probe
                try await run.onLoop { for (socket, room, _) in firsts { run.sendChat(from: socket, room: room, seq: seq, padding: "", acknowledged: false) } }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .milliseconds(300))
            notReady = opened.opened - (try await run.onLoop { run.readyCount })
            report.notReady = max(0, notReady)

            // Senders in a shuffled order: message k goes from senders[k % count], so every
            // member sends at memberRate and the rooms interleave.
            let (senders, sizes) = try await run.onLoop { () -> ([ClientSocket], [String: Int]) in
                let live = run.sockets.filter { !$0.isClosed }
                return (live.shuffled(), Dictionary(grouping: live) { roomOf($0.index) }.mapValues(\.count))
            }
            let padding = messages.padding
            let start = server.probe.sample()
            let closedBefore = try await run.onLoop { run.closedCount }
            nonisolated(unsafe) var expected = 0
            let paced = try await run.pace(rate: memberRate * Double(senders.count), duration: messages.duration, send: { k in
                let socket = senders[k % senders.count]
                let room = roomOf(socket.index)
                expected += sizes[room] ?? 0
                run.sendChat(from: socket, room: room, seq: k, padding: padding, acknowledged: true)
            }, flush: {})
            let expectedTotal = try await run.onLoop { expected }
            try await run.drain(expected: expectedTotal, quiet: messages.drain, cap: messages.drainCap)
            let end = server.probe.sample()
            try await run.deliveries(
                into: &report, sent: paced.sent, expected: expectedTotal, sendSeconds: paced.seconds,
                offeredPerSecond: memberRate * Double(senders.count) * Double(members), measuredFrom: start.wall)
            report.cost(from: start, to: end, deliveries: report.delivered ?? 0)
            report.closedDuringRun = try await run.onLoop { run.closedCount } - closedBefore
            return report
        }
    }
}
