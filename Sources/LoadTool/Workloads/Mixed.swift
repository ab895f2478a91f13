import ArgumentParser
import NIOCore

/// `mixed`: a realistic blend for a soak run. Users in rooms of ten chat, type, change their
/// presence and read their notification count at human rates (inside the default rate
/// limits, so no configuration is needed); each room's presence is tracked; with
/// `--agent`, a staff account sends a notification to every user now and then.
struct Mixed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Chat, typing, presence and notifications at human rates, for a soak run.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var messages: MessageOptions

    @Option(help: "Users (one connection each), ten to a room.")
    var users = 200

    @Option(name: .customLong("chat-rate"), help: "chat.send per user per second (default limit: 10/min).")
    var chatRate = 0.1

    @Option(name: .customLong("typing-rate"), help: "chat.typing per user per second.")
    var typingRate = 0.2

    @Option(name: .customLong("presence-rate"), help: "presence.set per user per second.")
    var presenceRate = 1.0 / 60

    @Option(name: .customLong("read-rate"), help: "notifications.unreadCount per user per second.")
    var readRate = 0.05

    @Option(help: "USER:PASSWORD of an agent account that sends notifications.send {role: user} every 15 s.")
    var agent: String?

    func validate() throws {
        guard (2...50_000).contains(users) else { throw ValidationError("--users must be 2…50000") }
        guard target == .switchboard else { throw ValidationError("mixed speaks the Switchboard protocol only") }
        if let agent, !agent.contains(":") { throw ValidationError("--agent is USER:PASSWORD") }
    }

    private var target: Target.Kind { server.target }

    func run() async throws {
        try await server.withRun { run, accounts in
            var report = Report(target: run.target, workload: "mixed", parameters: [
                "users": "\(users)", "duration": "\(messages.duration)", "chatRate": "\(chatRate)",
                "typingRate": "\(typingRate)", "presenceRate": "\(presenceRate)", "readRate": "\(readRate)",
                "agent": agent == nil ? "no" : "yes",
            ])
            let credentials = try await accounts.credentials(users, kind: .register, label: "mixed")
            let roomOf: @Sendable (Int) -> String = { "mixed-\($0 / 10)" }
            let opened = try await run.open(count: users, tokens: credentials.map(\.access), concurrency: server.concurrency) { roomOf($0) }
            report.record(opened)
            // a soak outlives the access tokens: refresh them as a client would
            let refresher = TokenRefresher(run: run, accounts: accounts, refreshTokens: Dictionary(
                uniqueKeysWithValues: credentials.enumerated().map { ($0.offset, $0.element.refresh) }))
            try await run.onLoop { run.refresher = refresher }
            let live = try await run.onLoop { run.sockets.filter { !$0.isClosed } }
            for socket in live {
                let reply = try await run.onLoop {
                    run.command(socket, type: "presence.track", data: #"{"topic":"chat:\#(roomOf(socket.index))"}"#)
                }.get()
                guard reply.ok else { throw ClientError.refused(status: 0, body: "presence.track: \(reply.code ?? "?")") }
            }
            var agentSocket: ClientSocket?
            if let agent {
                let parts = agent.split(separator: ":", maxSplits: 1).map(String.init)
                let pair = try await accounts.login(username: parts[0], password: parts[1])
                let agentOpened = try await run.open(count: 1, tokens: [pair.access], concurrency: 1, records: false) { _ in nil }
                guard agentOpened.opened == 1 else { throw ClientError.refused(status: 0, body: "agent: \(agentOpened.failures)") }
                agentSocket = try await run.onLoop {
                    let socket = run.sockets[run.sockets.count - 1]
                    refresher.track(socket.index, refreshToken: pair.refresh)
                    return socket
                }
            }
            let notifier = agentSocket
            let sizes = Dictionary(grouping: live) { roomOf($0.index) }.mapValues(\.count)
            let weights = [chatRate, typingRate, presenceRate, readRate]
            let perUser = weights.reduce(0, +)
            let padding = messages.padding
            let states = ["online", "away", "busy"]
            nonisolated(unsafe) var expected = 0
            nonisolated(unsafe) var chatSent = 0
            nonisolated(unsafe) var lastNotice = LoadRun.now()
            nonisolated(unsafe) var lastTyping: [Int: UInt64] = [:]
            let start = server.probe.sample()
            let paced = try await run.pace(rate: perUser * Double(live.count), duration: messages.duration, send: { _ in
                if let notifier, LoadRun.now() - lastNotice > 15_000_000_000 {
                    lastNotice = LoadRun.now()
                    notifier.send(ByteBuffer(string: #"{"id":\#(run.nextID()),"type":"notifications.send","data":{"role":"user","category":"info","title":"load test notice"}}"#))
                }
                let socket = live.randomElement()!
                let room = roomOf(socket.index)
                var pick = Double.random(in: 0..<perUser)
                var action = 0
                while action < weights.count - 1, pick >= weights[action] {
                    pick -= weights[action]
                    action += 1
                }
                switch action {
                case 0:
                    expected += sizes[room] ?? 0
                    run.sendChat(from: socket, room: room, seq: chatSent, padding: padding, acknowledged: true)
                    chatSent += 1
                case 1:
                    // like the web app, a user's typing indicator goes out at most once a second
                    // (the contract's limit is 1/s; a little more here, for the two clocks)
                    let now = LoadRun.now()
                    guard now - (lastTyping[socket.index] ?? 0) > 1_100_000_000 else { break }
                    lastTyping[socket.index] = now
                    socket.send(ByteBuffer(string: #"{"id":\#(run.nextID()),"type":"chat.typing","data":{"room":"\#(room)","typing":true}}"#))
                case 2:
                    socket.send(ByteBuffer(string: #"{"id":\#(run.nextID()),"type":"presence.set","data":{"state":"\#(states.randomElement()!)"}}"#))
                default:
                    socket.send(ByteBuffer(string: #"{"id":\#(run.nextID()),"type":"notifications.unreadCount","data":{}}"#))
                }
            }, flush: {})
            let (expectedTotal, chats) = try await run.onLoop { (expected, chatSent) }
            try await run.drain(expected: expectedTotal, quiet: messages.drain, cap: messages.drainCap)
            let end = server.probe.sample()
            try await run.deliveries(
                into: &report, sent: chats, expected: expectedTotal, sendSeconds: paced.seconds,
                offeredPerSecond: chatRate * Double(live.count) * 10, measuredFrom: start.wall)
            report.cost(from: start, to: end, deliveries: report.delivered ?? 0)
            report.notes.append("\(paced.sent) commands in all; sent = chat.send only; deliveries = chat.message to room members")
            let refreshed = try await run.onLoop { refresher.refreshed }
            if refreshed > 0 { report.notes.append("\(refreshed) tokens refreshed (hub.token_expiring → /auth/refresh → hub.auth)") }
            return report
        }
    }
}
