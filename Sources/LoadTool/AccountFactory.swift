import NIOCore
import NIOHTTP1
import NIOPosix

/// Gets one access token per simulated client from the public HTTP API, as any client
/// would: `POST /auth/register` (chat needs a `user`) or `POST /auth/guest`.
///
/// Requests go over a few keep-alive connections, one request in flight on each, so the
/// set-up phase measures nothing and stays out of the way of the run that follows.
struct AccountFactory {
    enum Kind: String, Sendable {
        case register
        case guest
    }

    let host: String
    let port: Int
    let eventLoop: any EventLoop
    let parallel = 16

    /// `count` access tokens, in order. Fails on the first refused request, saying why.
    func tokens(_ count: Int, kind: Kind, label: String) async throws -> [String] {
        try await credentials(count, kind: kind, label: label).map(\.access)
    }

    /// `count` access and refresh tokens, in order (for runs that outlive an access token).
    func credentials(_ count: Int, kind: Kind, label: String) async throws -> [Credentials] {
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let links = try await (0..<min(parallel, max(count, 1))).asyncMap { _ in
            try await HTTPLink.open(host: host, port: port, on: eventLoop)
        }
        defer { for link in links { link.close() } }
        var tokens = [Credentials](repeating: Credentials(access: "", refresh: ""), count: count)
        try await withThrowingTaskGroup(of: [(Int, Credentials)].self) { group in
            for (lane, link) in links.enumerated() {
                group.addTask {
                    var index = lane
                    var mine: [(Int, Credentials)] = []
                    while index < count {
                        let body: String
                        let path: String
                        switch kind {
                        case .register:
                            path = "/auth/register"
                            body = #"{"username":"lt\#(run)x\#(index)","password":"load-tool-password","displayName":"\#(label) \#(index)"}"#
                        case .guest:
                            path = "/auth/guest"
                            body = #"{"displayName":"\#(label) \#(index)"}"#
                        }
                        let (status, response) = try await link.post(path: path, json: body)
                        guard status == 200 || status == 201, let pair = Credentials(response) else {
                            throw ClientError.refused(status: status, body: String(buffer: response))
                        }
                        mine.append((index, pair))
                        index += links.count
                    }
                    return mine
                }
            }
            for try await lane in group {
                for (index, token) in lane { tokens[index] = token }
            }
        }
        return tokens
    }
}

extension AccountFactory {
    /// Signs in an existing account (e.g. an agent made with `switchboard user create`).
    func login(username: String, password: String) async throws -> Credentials {
        let link = try await HTTPLink.open(host: host, port: port, on: eventLoop)
        defer { link.close() }
        let (status, response) = try await link.post(
            path: "/auth/login", json: #"{"username":"\#(username)","password":"\#(password)"}"#)
        guard status == 200, let pair = Credentials(response) else {
            throw ClientError.refused(status: status, body: String(buffer: response))
        }
        return pair
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}

/// One keep-alive HTTP/1.1 connection answering requests in order.
final class HTTPLink: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private var waiting: [EventLoopPromise<(Int, ByteBuffer)>] = []
    private var status = 0
    private var body = ByteBuffer()
    private var channel: (any Channel)?
    private let host: String
    let eventLoop: any EventLoop

    private init(host: String, eventLoop: any EventLoop) {
        self.host = host
        self.eventLoop = eventLoop
    }

    static func open(host: String, port: Int, on eventLoop: any EventLoop) async throws -> HTTPLink {
        let link = HTTPLink(host: host, eventLoop: eventLoop)
        let channel = try await ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(link)
                }
            }
            .connect(host: host, port: port).get()
        try await eventLoop.submit { link.channel = channel }.get()
        return link
    }

    func post(path: String, json: String) async throws -> (Int, ByteBuffer) {
        try await eventLoop.flatSubmit { () -> EventLoopFuture<(Int, ByteBuffer)> in
            guard let channel = self.channel else { return self.eventLoop.makeFailedFuture(ClientError.closed) }
            let promise = self.eventLoop.makePromise(of: (Int, ByteBuffer).self)
            self.waiting.append(promise)
            let payload = channel.allocator.buffer(string: json)
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
            head.headers.add(name: "Host", value: self.host)
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(payload.readableBytes))
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(payload)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult
        }.get()
    }

    func close() {
        eventLoop.execute { self.channel?.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            if !waiting.isEmpty { waiting.removeFirst().succeed((status, body)) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for promise in waiting { promise.fail(ClientError.closed) }
        waiting = []
        context.fireChannelInactive()
    }
}
