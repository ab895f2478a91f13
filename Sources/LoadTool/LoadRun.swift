import Histogram
import NIOCore
import NIOPosix

/// One workload run's sockets and everything they observed.
///
/// It exists to keep the hot path on one event loop with no locks: every frame is parsed by
/// scanning bytes and recorded here, on the loop. The async workload code reads it through
/// `onLoop`. `@unchecked Sendable` because all state is confined to `loop`.
final class LoadRun: @unchecked Sendable {
    let target: Target
    let loop: any EventLoop
    /// Send → receive of every counted delivery, nanoseconds.
    var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000_000, numberOfSignificantValueDigits: .three)
    /// Send → acknowledgement (the reply to an id-carrying `chat.send`), nanoseconds.
    var ackLatency = Histogram<UInt64>(highestTrackableValue: 600_000_000_000, numberOfSignificantValueDigits: .three)
    var received = 0
    var firstReceive: UInt64 = 0
    var lastReceive: UInt64 = 0
    var readyCount = 0
    var acknowledged = 0
    var errors: [String: Int] = [:]
    var events: [String: Int] = [:]
    var sockets: [ClientSocket] = []
    var closedCount = 0
    /// Refreshes tokens that are about to expire (runs longer than an access token's life).
    var refresher: TokenRefresher?
    private var sentAt: [Int: UInt64] = [:]
    private var lastID = 100

    init(target: Target, loop: any EventLoop) {
        self.target = target
        self.loop = loop
    }

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Runs `body` on the loop and returns its value.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await loop.submit(body).get()
    }

    // MARK: receiving (on the loop)

    func handle(_ socket: ClientSocket, _ frame: ByteBuffer) {
        switch target.parse(frame) {
        case .marker(let marker):
            if marker.seq < 0 {
                if !socket.isReady {
                    socket.isReady = true
                    readyCount += 1
                }
                return
            }
            guard socket.records else { return }
            let now = Self.now()
            _ = latency.record(now > marker.sentNanos ? now - marker.sentNanos : 0)
            received += 1
            socket.delivered += 1
            if firstReceive == 0 { firstReceive = now }
            lastReceive = now
        case .reply(let reply):
            if let id = reply.id, let waiter = socket.pendingReplies.removeValue(forKey: id) {
                waiter.succeed(reply)
                return
            }
            let sent = reply.id.flatMap { sentAt.removeValue(forKey: $0) }
            if reply.ok {
                acknowledged += 1
                if let sent { _ = ackLatency.record(Self.now() - sent) }
            } else {
                errors[reply.code ?? "unknown", default: 0] += 1
            }
        case .event(let type):
            if type == "hub.welcome", let welcome = socket.welcome {
                socket.welcome = nil
                welcome.succeed()
            } else {
                events[type, default: 0] += 1
                if type == "hub.token_expiring" { refresher?.expiring(socket) }
            }
        case .engineOpen:
            socket.send(ByteBuffer(string: "40"))
        case .engineConnected:
            if let welcome = socket.welcome {
                socket.welcome = nil
                welcome.succeed()
            }
        case .enginePing:
            socket.send(ByteBuffer(string: "3"))
        case .other:
            break
        }
    }

    // MARK: sending (on the loop)

    func nextID() -> Int {
        lastID += 1
        return lastID
    }

    /// Sends one marked chat message; `acknowledged` ones carry an id and their reply time
    /// is recorded.
    func sendChat(from socket: ClientSocket, room: String, seq: Int, padding: String, acknowledged: Bool, flush: Bool = true) {
        let now = Self.now()
        let text = "B|\(seq)|\(now)|\(socket.index)|\(padding)"
        var id: Int?
        if acknowledged && target.kind == .switchboard {
            let next = nextID()
            sentAt[next] = now
            id = next
        }
        socket.send(target.chatFrame(room: room, text: text, id: id), flush: flush)
    }

    /// Sends a command and completes with its reply (set-up steps, not the measured path).
    func command(_ socket: ClientSocket, type: String, data: String) -> EventLoopFuture<ParsedFrame.Reply> {
        let id = nextID()
        let promise = loop.makePromise(of: ParsedFrame.Reply.self)
        socket.pendingReplies[id] = promise
        socket.send(ByteBuffer(string: #"{"id":\#(id),"type":"\#(type)","data":\#(data)}"#))
        return promise.futureResult
    }

    // MARK: opening connections

    /// What opening a batch of connections came to.
    struct Opened: Sendable {
        var opened = 0
        var failures: [String] = []
        var seconds = 0.0
    }

    /// Opens `count` connections with at most `concurrency` handshakes in flight. Each is
    /// authenticated by `tokens[i]` (Switchboard waits for `hub.welcome`) and joins `room(i)`
    /// when that is not nil (Switchboard waits for the reply).
    func open(
        count: Int, tokens: [String?], concurrency: Int, records: Bool = true,
        room: @escaping @Sendable (Int) -> String?
    ) async throws -> Opened {
        let batch = try await onLoop {
            OpeningBatch(run: self, count: count, tokens: tokens, records: records, room: room)
        }
        try await onLoop { for _ in 0..<min(concurrency, count) { batch.launch() } }
        if count == 0 { try await onLoop { batch.done.succeed(Opened()) } }
        return try await batch.done.futureResult.get()
    }

    fileprivate func establish(_ socket: ClientSocket, token: String?, room: String?) -> EventLoopFuture<Void> {
        let welcome: EventLoopFuture<Void>
        if target.greets {
            let promise = loop.makePromise(of: Void.self)
            socket.welcome = promise
            welcome = promise.futureResult
        } else {
            welcome = loop.makeSucceededVoidFuture()
        }
        let watchdog = loop.scheduleTask(in: .seconds(30)) { socket.close() }
        let ready = socket.connect(host: target.host, port: target.port(forConnection: socket.index), path: target.path(token: token, room: room))
            .flatMap { welcome }
            .flatMap { () -> EventLoopFuture<Void> in
                guard let room else { return self.loop.makeSucceededVoidFuture() }
                guard self.target.kind == .switchboard else {
                    if self.target.joinsByFrame { socket.send(self.target.joinFrame(room: room, id: 0)) }
                    return self.loop.makeSucceededVoidFuture()
                }
                return self.command(socket, type: "chat.join", data: #"{"room":"\#(room)"}"#).flatMapThrowing { reply in
                    guard reply.ok else { throw ClientError.refused(status: 0, body: "chat.join: \(reply.code ?? "?")") }
                }
            }
        ready.whenComplete { _ in watchdog.cancel() }
        return ready
    }

    /// Closes every socket and waits briefly for the close handshakes.
    func closeAll() async throws {
        try await onLoop { for socket in self.sockets { socket.close() } }
        try await Task.sleep(for: .milliseconds(300))
    }
}

/// The state of one `open` call: which connection starts next and what the finished ones
/// came to. Confined to the run's loop.
private final class OpeningBatch: @unchecked Sendable {
    let done: EventLoopPromise<LoadRun.Opened>
    private let run: LoadRun
    private let count: Int
    private let tokens: [String?]
    private let records: Bool
    private let room: @Sendable (Int) -> String?
    private let base: Int
    private let started = LoadRun.now()
    private var outcome = LoadRun.Opened()
    private var next = 0
    private var finished = 0

    init(run: LoadRun, count: Int, tokens: [String?], records: Bool, room: @escaping @Sendable (Int) -> String?) {
        self.run = run
        self.count = count
        self.tokens = tokens
        self.records = records
        self.room = room
        self.base = run.sockets.count
        self.done = run.loop.makePromise(of: LoadRun.Opened.self)
    }

    func launch() {
        guard next < count else { return }
        let index = next
        next += 1
        let run = self.run
        let socket = ClientSocket(index: base + index, eventLoop: run.loop) { [unowned run] in run.handle($0, $1) }
        socket.records = records
        socket.onClose = { [unowned run] _ in run.closedCount += 1 }
        run.sockets.append(socket)
        run.establish(socket, token: tokens[index], room: room(index)).whenComplete { result in
            switch result {
            case .success:
                self.outcome.opened += 1
            case .failure(let error):
                if self.outcome.failures.count < 1000 { self.outcome.failures.append(String(describing: error)) }
                socket.close()
                socket.didClose()
            }
            self.finished += 1
            if self.finished == self.count {
                self.outcome.seconds = Double(LoadRun.now() - self.started) / 1e9
                self.done.succeed(self.outcome)
            } else {
                self.launch()
            }
        }
    }
}
