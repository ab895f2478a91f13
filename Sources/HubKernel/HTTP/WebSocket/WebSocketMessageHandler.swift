import NIOCore
import NIOWebSocket

/// The RFC 6455 message layer of a server connection, on swift-nio's public `NIOWebSocket`:
/// frames in, whole ``InboundMessage``s out.
///
/// It joins fragmented messages (at most `maxMessageBytes`, else close 1009), inflates
/// `permessage-deflate` messages through the loop's ``MessageInflater``, checks text is
/// UTF-8 (else 1007), answers pings, and runs the close handshake both ways: a client's close
/// is echoed and the socket closed; a close the hub asks for (``close(code:reason:)``) is sent
/// and the socket closed when the client answers or after `closeTimeout`. Every protocol
/// violation (an unmasked frame, a reserved bit or opcode, a continuation out of place, a bad
/// close frame) closes with 1002.
///
/// It sits behind swift-nio's frame decoder and the ``LivenessHandler``; data frames the hub
/// sends bypass it through the ``SocketWriter``, so only control frames are written here.
/// All state is touched on the channel's event loop only, hence `@unchecked Sendable`.
final class WebSocketMessageHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = InboundMessage
    typealias OutboundOut = WebSocketFrame

    /// A message whose frames are still arriving.
    private struct Assembly {
        var isText: Bool
        var isCompressed: Bool
        var payload: ByteBuffer
    }

    private enum Closing {
        case open
        /// The server sent its close frame and waits for the client's.
        case sent(Scheduled<Void>?)
        case done
    }

    private let maxMessageBytes: Int
    private let acceptsCompressed: Bool
    private let closeTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var assembly: Assembly?
    /// The event loop's inflater, looked up on the first compressed message.
    private var inflater: MessageInflater?
    private var closing = Closing.open

    /// - Parameters:
    ///   - maxMessageBytes: the largest message, after joining and inflating.
    ///   - acceptsCompressed: whether `permessage-deflate` was negotiated.
    ///   - closeTimeout: how long a close the server sent waits for the client's answer.
    init(maxMessageBytes: Int, acceptsCompressed: Bool, closeTimeout: TimeAmount) {
        self.maxMessageBytes = maxMessageBytes
        self.acceptsCompressed = acceptsCompressed
        self.closeTimeout = closeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        if case .sent(let timer) = closing { timer?.cancel() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if case .done = closing { return }
        guard let mask = frame.maskKey else { return fail(.protocolError, "a client frame must be masked", context: context) }
        guard !frame.rsv2, !frame.rsv3 else { return fail(.protocolError, "reserved bits set", context: context) }
        switch frame.opcode {
        case .text, .binary:
            guard assembly == nil else { return fail(.protocolError, "a new message began inside another", context: context) }
            guard !frame.rsv1 || acceptsCompressed else { return fail(.protocolError, "compressed without permessage-deflate", context: context) }
            let message = Assembly(isText: frame.opcode == .text, isCompressed: frame.rsv1, payload: ByteBuffer())
            guard frame.fin else {
                assembly = message
                return append(frame, mask: mask, context: context)
            }
            // the common case, a message in one frame: its own buffer, unmasked in place, no copy
            guard case .open = closing else { return }  // data after our close is discarded
            guard frame.length <= maxMessageBytes else {
                return fail(.messageTooLarge, "a message above \(maxMessageBytes) bytes", context: context)
            }
            var payload = frame.data
            payload.webSocketUnmask(mask)
            deliver(message, payload: payload, context: context)
        case .continuation:
            guard assembly != nil else { return fail(.protocolError, "a continuation frame outside a message", context: context) }
            guard !frame.rsv1 else { return fail(.protocolError, "RSV1 on a continuation frame", context: context) }
            append(frame, mask: mask, context: context)
        case .ping:
            guard !frame.rsv1 else { return fail(.protocolError, "RSV1 on a control frame", context: context) }
            guard case .open = closing else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            guard !frame.rsv1 else { return fail(.protocolError, "RSV1 on a control frame", context: context) }
        case .connectionClose:
            guard !frame.rsv1 else { return fail(.protocolError, "RSV1 on a control frame", context: context) }
            received(close: frame.unmaskedData, context: context)
        default:
            fail(.protocolError, "reserved opcode", context: context)
        }
    }

    /// Sends a close frame with `code` and `reason` and waits (up to the close timeout) for
    /// the client's answer before closing the socket. Called on the event loop, by the
    /// ``SocketWriter`` once every frame queued before the close was written.
    func close(code: WebSocketErrorCode, reason: String) {
        guard let context, case .open = closing else { return }
        sendClose(code: code, reason: reason, context: context)
        let timer = context.eventLoop.scheduleTask(in: closeTimeout) { [weak self] in
            guard let self, let context = self.context else { return }
            self.closing = .done
            context.close(promise: nil)
        }
        closing = .sent(timer)
    }

    // MARK: - Messages

    private func append(_ frame: WebSocketFrame, mask: WebSocketMaskingKey, context: ChannelHandlerContext) {
        guard var message = assembly else { return }
        if case .open = closing {} else { assembly = nil; return }  // data after our close is discarded
        guard message.payload.readableBytes + frame.length <= maxMessageBytes else {
            return fail(.messageTooLarge, "a message above \(maxMessageBytes) bytes", context: context)
        }
        var data = frame.data
        data.webSocketUnmask(mask)
        message.payload.writeBuffer(&data)
        guard frame.fin else {
            assembly = message
            return
        }
        assembly = nil
        deliver(message, payload: message.payload, context: context)
    }

    /// Inflates (when compressed) and checks a whole message, then hands it on.
    private func deliver(_ message: Assembly, payload: ByteBuffer, context: ChannelHandlerContext) {
        var payload = payload
        if message.isCompressed {
            do {
                inflater = inflater ?? MessageInflater.for(context.eventLoop)
                payload = try inflater!.inflate(payload, limit: maxMessageBytes, allocator: context.channel.allocator)
            } catch .tooLarge {
                return fail(.messageTooLarge, "a message inflating above \(maxMessageBytes) bytes", context: context)
            } catch {
                return fail(.dataInconsistentWithMessage, "a compressed message that does not inflate", context: context)
            }
        }
        guard message.isText else {
            return context.fireChannelRead(wrapInboundOut(.binary(payload)))
        }
        guard let text = String(validating: payload.readableBytesView, as: UTF8.self) else {
            return fail(.dataInconsistentWithMessage, "a text message that is not UTF-8", context: context)
        }
        context.fireChannelRead(wrapInboundOut(.text(text)))
    }

    // MARK: - Closing

    private func received(close payload: ByteBuffer, context: ChannelHandlerContext) {
        var payload = payload
        var echoed: WebSocketErrorCode = .normalClosure
        if payload.readableBytes == 1 { return fail(.protocolError, "a close frame with a one-byte body", context: context) }
        if let raw = payload.readInteger(as: UInt16.self) {
            guard Self.isValidCloseCode(raw) else { return fail(.protocolError, "close code \(raw) may not be sent", context: context) }
            guard String(validating: payload.readableBytesView, as: UTF8.self) != nil else {
                return fail(.dataInconsistentWithMessage, "a close reason that is not UTF-8", context: context)
            }
            echoed = WebSocketErrorCode(codeNumber: Int(raw))
        }
        switch closing {
        case .open:
            sendClose(code: echoed, reason: "", context: context, thenCloseSocket: true)
        case .sent(let timer):
            timer?.cancel()
            closing = .done
            context.close(promise: nil)
        case .done:
            break
        }
    }

    /// Closes for a protocol violation: the close frame, then the socket.
    private func fail(_ code: WebSocketErrorCode, _ reason: String, context: ChannelHandlerContext) {
        assembly = nil
        switch closing {
        case .open:
            sendClose(code: code, reason: reason, context: context, thenCloseSocket: true)
        case .sent(let timer):
            timer?.cancel()
            closing = .done
            context.close(promise: nil)
        case .done:
            break
        }
    }

    private func sendClose(code: WebSocketErrorCode, reason: String, context: ChannelHandlerContext, thenCloseSocket: Bool = false) {
        var body = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        body.write(webSocketErrorCode: code)
        body.writeString(Self.truncated(reason, toBytes: 123))  // a control frame carries at most 125 bytes
        let written = context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: body)))
        guard thenCloseSocket else { return }
        closing = .done
        let loopBound = context.loopBound
        written.whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    /// The longest prefix of `text`, in whole characters, of at most `limit` UTF-8 bytes.
    static func truncated(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var kept = ""
        for character in text {
            guard kept.utf8.count + character.utf8.count <= limit else { break }
            kept.append(character)
        }
        return kept
    }

    /// Close codes a peer may send (RFC 6455 §7.4): 1000–1003, 1007–1011, and 3000–4999.
    static func isValidCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 3000...4999: true
        default: false
        }
    }
}
