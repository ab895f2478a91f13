import CompressNIO
import NIOCore

/// Inflates `permessage-deflate` messages (RFC 7692 §7.2.2) with a bound on their size.
///
/// There is one per event loop (``for(_:)``), used only on that loop: the negotiation asks
/// every client for `client_no_context_takeover`, so each message is a stream of its own and
/// the inflate state (about 40 KiB with its window) is shared by the loop's connections
/// instead of held by each of them. The bound is what makes a small compressed message that
/// inflates to gigabytes cost no more than the limit.
final class MessageInflater: @unchecked Sendable {
    /// Why a message could not be inflated.
    enum Failure: Error {
        /// It inflates past the limit (close 1009).
        case tooLarge
        /// It is not a valid deflate stream (close 1007).
        case corrupt
    }

    private static let byLoop = PerEventLoop { _ in MessageInflater() }

    /// The inflater of `eventLoop`; use it only on that loop.
    static func `for`(_ eventLoop: any EventLoop) -> MessageInflater { byLoop(eventLoop) }

    private var stream: ZlibDecompressor?

    private init() {}

    /// The message `compressed` (all its frames' payloads, in order) inflates to.
    /// - Throws: ``Failure/tooLarge`` past `limit` bytes, ``Failure/corrupt`` for bad data.
    func inflate(_ compressed: ByteBuffer, limit: Int, allocator: ByteBufferAllocator) throws(Failure) -> ByteBuffer {
        let stream: ZlibDecompressor
        do {
            stream = try self.stream ?? ZlibDecompressor(algorithm: .deflate, windowSize: 15)
            try stream.reset()
        } catch {
            self.stream = nil
            throw .corrupt
        }
        self.stream = stream
        var input = compressed
        input.writeBytes([0x00, 0x00, 0xFF, 0xFF])  // the tail the sender removed (§7.2.2)
        var output = allocator.buffer(capacity: min(limit + 1, max(256, input.readableBytes * 4)))
        while input.readableBytes > 0 {
            if output.writableBytes == 0 {
                guard output.capacity <= limit else { throw .tooLarge }
                output.reserveCapacity(minimumWritableBytes: min(limit + 1 - output.readableBytes, max(256, output.capacity)))
            }
            let unread = input.readableBytes
            do {
                try stream.inflate(from: &input, to: &output)
                if input.readableBytes == unread { break }  // the stream ended (a final block): the rest is padding
            } catch let error as CompressNIOError where error == .bufferOverflow {
                continue  // output full: grow it (above) unless past the limit
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                break  // every byte read
            } catch {
                throw .corrupt
            }
            if output.readableBytes > limit { throw .tooLarge }
        }
        if output.readableBytes > limit { throw .tooLarge }
        return output
    }
}
