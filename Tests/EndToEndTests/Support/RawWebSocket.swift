import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A WebSocket client written against the RFC 6455 bytes, for what a library client hides:
/// the upgrade response's headers, unanswered pings, unsolicited pongs, frame order.
///
/// It answers nothing by itself: a ping stays unanswered unless the test sends a pong.
final class RawWebSocket: Sendable {
    /// One frame from the server (unmasked, unfragmented in this protocol).
    struct Frame: Sendable {
        var opcode: UInt8
        var payload: [UInt8]
        var text: String { String(decoding: payload, as: UTF8.self) }
        /// The close code of a close frame.
        var closeCode: UInt16? { opcode == 0x8 && payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil }
    }

    /// The status line and headers of the upgrade response, as sent.
    let responseHead: String
    private let bytes: ByteStream
    private let outbound: AsyncStream<ByteBuffer>.Continuation
    private let task: Task<Void, Never>

    private init(responseHead: String, bytes: ByteStream, outbound: AsyncStream<ByteBuffer>.Continuation, task: Task<Void, Never>) {
        self.responseHead = responseHead
        self.bytes = bytes
        self.outbound = outbound
        self.task = task
    }

    /// Connects to `127.0.0.1:port` and sends an upgrade request for `path` with `headers`.
    /// - Returns: the socket once the response head arrived (whatever its status).
    static func open(port: Int, path: String, headers: [String: String] = [:]) async throws -> RawWebSocket {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let bytes = ByteStream()
        let (writes, outbound) = AsyncStream.makeStream(of: ByteBuffer.self)
        let task = Task {
            try? await channel.executeThenClose { inbound, writer in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await buffer in writes { try? await writer.write(buffer) }
                    }
                    do {
                        for try await buffer in inbound { bytes.append(Array(buffer.readableBytesView)) }
                    } catch {}
                    bytes.finish()
                    group.cancelAll()
                }
            }
            bytes.finish()
        }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        outbound.yield(ByteBuffer(string: request + "\r\n"))
        let head = try await bytes.take(through: Array("\r\n\r\n".utf8), timeout: .seconds(10))
        return RawWebSocket(responseHead: String(decoding: head, as: UTF8.self), bytes: bytes, outbound: outbound, task: task)
    }

    /// The response's status code.
    var status: Int { Int(responseHead.split(separator: " ").dropFirst().first ?? "") ?? 0 }

    /// A response header's value (names compared case-insensitively).
    func header(_ name: String) -> String? {
        for line in responseHead.split(separator: "\r\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// The next frame, or `nil` when the connection ended first.
    /// - Throws: a timeout when nothing complete arrived within `timeout`.
    func next(timeout: Duration = .seconds(10)) async throws -> Frame? {
        guard let header = try await bytes.take(count: 2, timeout: timeout) else { return nil }
        var length = Int(header[1] & 0x7F)
        if length == 126 {
            guard let extended = try await bytes.take(count: 2, timeout: timeout) else { return nil }
            length = Int(extended[0]) << 8 | Int(extended[1])
        } else if length == 127 {
            guard let extended = try await bytes.take(count: 8, timeout: timeout) else { return nil }
            length = extended.reduce(0) { $0 << 8 | Int($1) }
        }
        guard let payload = try await bytes.take(count: length, timeout: timeout) else { return nil }
        return Frame(opcode: header[0] & 0x0F, payload: payload)
    }

    /// The next frame that is not a ping (pings are left unanswered).
    func nextIgnoringPings(timeout: Duration = .seconds(10)) async throws -> Frame? {
        while let frame = try await next(timeout: timeout) {
            if frame.opcode != 0x9 { return frame }
        }
        return nil
    }

    /// Sends one frame; by default final and masked, as a well-behaved client sends them.
    /// The flags exist to send what a broken or hostile client sends.
    func send(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false, rsv2: Bool = false, masked: Bool = true) {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else if payload.count <= Int(UInt16.max) {
            frame.append(maskBit | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(maskBit | 127)
            frame += (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
        }
        guard masked else {
            outbound.yield(ByteBuffer(bytes: frame + payload))
            return
        }
        let mask: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        outbound.yield(ByteBuffer(bytes: frame))
    }

    /// Sends a text frame.
    func send(text: String) { send(opcode: 0x1, Array(text.utf8)) }

    /// Closes the socket.
    func close() async {
        outbound.finish()
        task.cancel()
        _ = await task.value
    }
}

/// Bytes as they arrive, taken by exact counts or up to a delimiter.
private final class ByteStream: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var finished = false
    }
    private let state = Mutex(State())

    func append(_ bytes: [UInt8]) { state.withLock { $0.buffer += bytes } }
    func finish() { state.withLock { $0.finished = true } }

    func take(count: Int, timeout: Duration) async throws -> [UInt8]? {
        try await poll(timeout: timeout) { state in
            if state.buffer.count >= count {
                defer { state.buffer.removeFirst(count) }
                return .some(Array(state.buffer.prefix(count)))
            }
            return state.finished ? .some(nil) : nil
        } ?? nil
    }

    func take(through delimiter: [UInt8], timeout: Duration) async throws -> [UInt8] {
        let found = try await poll(timeout: timeout) { state -> [UInt8]?? in
            guard let range = state.buffer.firstRange(of: delimiter) else { return state.finished ? .some(nil) : nil }
            defer { state.buffer.removeFirst(range.upperBound) }
            return .some(Array(state.buffer[..<range.upperBound]))
        }
        guard let found = found ?? nil else { throw RawSocketTimeout(waitingFor: "the upgrade response") }
        return found
    }

    private func poll<T>(timeout: Duration, _ attempt: (inout State) -> T?) async throws -> T? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = state.withLock({ attempt(&$0) }) { return value }
            guard ContinuousClock.now < deadline else { throw RawSocketTimeout(waitingFor: "\(timeout) of bytes") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Nothing (complete) arrived in time.
struct RawSocketTimeout: Error, CustomStringConvertible {
    var waitingFor: String
    var description: String { "timed out waiting for \(waitingFor)" }
}
