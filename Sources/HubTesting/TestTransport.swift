import Foundation
public import HubKernel
import HummingbirdWSClient
import HTTPTypes
import HummingbirdWSCompression
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// How a ``TestClient`` reaches the hub.
protocol TestTransport: Sendable {
    func sendText(_ text: String) async throws
    func sendBinary(_ bytes: [UInt8]) async throws
    /// A text frame with arbitrary bytes (e.g. invalid UTF-8); live sockets only.
    func sendRawText(_ bytes: [UInt8]) async throws
    func close() async
}

/// Drives the hub's pipeline directly: the same code as a socket, minus the socket.
final class InProcessTransport: TestTransport {
    let hub: Hub
    let connection: Connection
    let inbox: Inbox
    private let reader: Task<Void, Never>

    init(hub: Hub, identity: Identity, expiresAtMs: Int64, inbox: Inbox) async {
        self.hub = hub
        self.inbox = inbox
        let connection = await hub.open(identity: identity, tokenExpiresAtMs: expiresAtMs, remoteAddress: "127.0.0.1")
        self.connection = connection
        reader = Task {
            while true {
                switch await connection.outbound.next() {
                case .frames(let frames):
                    for frame in frames { inbox.push(String(buffer: frame)) }
                case .close(let code, _):
                    inbox.close(code: code.rawValue)
                    await hub.close(connection)
                    return
                case .finished:
                    inbox.close(code: nil)
                    return
                }
            }
        }
    }

    func sendText(_ text: String) async throws { await hub.receive(text, on: connection) }
    func sendBinary(_ bytes: [UInt8]) async throws { hub.receiveBinary(on: connection) }
    func sendRawText(_ bytes: [UInt8]) async throws {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            // the transport rejects invalid UTF-8 before the hub sees it
            inbox.close(code: CloseCode.invalidPayload.rawValue)
            await close()
            return
        }
        await hub.receive(text, on: connection)
    }
    func close() async {
        await hub.close(connection)
        _ = await reader.value
    }
}

/// A real WebSocket client over loopback.
final class SocketTransport: TestTransport {
    private let writer: WebSocketOutboundWriter
    private let task: Task<Void, Never>

    private init(writer: WebSocketOutboundWriter, task: Task<Void, Never>) {
        self.writer = writer
        self.task = task
    }

    static func connect(url: String, headers: [String: String], inbox: Inbox, compress: Bool = false) async throws -> SocketTransport {
        var fields = HTTPFields()
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: 2 << 20, additionalHeaders: fields,
            extensions: compress ? [.perMessageDeflate(maxDecompressedFrameSize: 2 << 20)] : [])
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Result<WebSocketOutboundWriter, any Error>.self)
        let task = Task {
            var logger = Logger(label: "test-client")
            logger.logLevel = .critical
            do {
                let closeFrame = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    readyContinuation.yield(.success(outbound))
                    for try await message in inbound.messages(maxSize: 4 << 20) {
                        if case .text(let text) = message { inbox.push(text) }
                    }
                }
                inbox.close(code: closeFrame.map { UInt16(clamping: closeCodeNumber($0.closeCode)) })
            } catch {
                readyContinuation.yield(.failure(error))
                inbox.close(code: nil)
            }
            readyContinuation.finish()
        }
        var iterator = ready.makeAsyncIterator()
        guard let first = await iterator.next() else { throw HubError.unavailable("the WebSocket did not open") }
        return SocketTransport(writer: try first.get(), task: task)
    }

    func sendText(_ text: String) async throws { try await writer.write(.text(text)) }
    func sendBinary(_ bytes: [UInt8]) async throws { try await writer.write(.binary(ByteBuffer(bytes: bytes))) }
    func sendRawText(_ bytes: [UInt8]) async throws {
        try await writer.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))))
    }
    func close() async {
        try? await writer.close(.normalClosure, reason: nil)
        _ = await task.value
    }
}

/// The numeric value of a close code.
func closeCodeNumber(_ code: WebSocketErrorCode) -> Int {
    var buffer = ByteBuffer()
    buffer.write(webSocketErrorCode: code)
    return Int(buffer.readInteger(as: UInt16.self) ?? 0)
}
