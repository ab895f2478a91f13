import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// One HTTP/1.1 connection that may upgrade to the hub's WebSocket on `/ws`.
///
/// The connection is admitted (origin, then token) before the upgrade. A refused upgrade is
/// answered 401 or 403 with the protocol's JSON error body; Hummingbird's stock channel
/// answers an empty 400, and NIO does not pass a refused upgrade request on to the router.
struct HubChannel: ServerChildChannel, HTTPChannelHandler {
    /// Where an admitted upgrade leads.
    enum Endpoint: Sendable {
        /// `/ws`: a hub connection of an authenticated identity, holding its place in the
        /// ``ConnectGate`` until its connect hooks have run.
        case hub(identity: Identity, expiresAtMs: Int64, remoteAddress: String, pass: ConnectPass)
        /// `/conformance/echo` (``HubSettings/conformanceEcho``): every message echoed.
        case echo
    }

    struct Admitted: Sendable {
        var endpoint: Endpoint
        /// Whether `permessage-deflate` was negotiated.
        var acceptsCompressed: Bool
    }

    enum Negotiated: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// The upgraded channel: its handlers own it; no task waits on it.
        case webSocket(any Channel, Admitted, WebSocketConnection)
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
        /// Why an attempted upgrade was refused.
        let refusal: NIOLockedValueBox<HubError?>
    }

    let responder: HTTPChannelHandler.Responder
    let hub: Hub
    /// How long a close the server sent waits for the client's answer.
    let closeTimeout: TimeAmount
    let idleTimeout: Duration?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let admitted = NIOLockedValueBox<Admitted?>(nil)
            let refusal = NIOLockedValueBox<HubError?>(nil)
            let closer = UnparsableRequestCloser()
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: hub.settings.transportMaxFrameBytes,
                shouldUpgrade: { channel, head in
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    promise.completeWithTask {
                        do {
                            let admission = try await admit(head, channel: channel)
                            admitted.withLockedValue { $0 = admission.admitted }
                            return HTTPHeaders(admission.responseHeaders)
                        } catch {
                            refusal.withLockedValue { $0 = error as? HubError ?? .badRequest("invalid WebSocket upgrade request") }
                            return nil
                        }
                    }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let admission = admitted.withLockedValue({ $0 }) else { throw ChannelError.inappropriateOperationForState }
                        // a WebSocket answers its own protocol errors (a close frame, then the close)
                        channel.pipeline.syncOperations.removeHandler(closer, promise: nil)
                        let settings = hub.settings
                        let connection = WebSocketConnection(
                            writer: SocketWriter(eventLoop: channel.eventLoop),
                            // behind the frame decoder: it sees every frame the client sends
                            liveness: LivenessHandler(heartbeatMs: settings.heartbeatMs, idleTimeoutMs: settings.idleTimeoutMs,
                                                      eventLoop: channel.eventLoop),
                            messages: WebSocketMessageHandler(maxMessageBytes: settings.transportMaxFrameBytes,
                                                              acceptsCompressed: admission.acceptsCompressed,
                                                              closeTimeout: closeTimeout),
                            inbound: InboundQueue(eventLoop: channel.eventLoop))
                        try channel.pipeline.syncOperations.addHandler(connection.writer, position: .first)
                        try channel.pipeline.syncOperations.addHandler(connection.liveness)
                        try channel.pipeline.syncOperations.addHandler(connection.messages)
                        try channel.pipeline.syncOperations.addHandler(connection.inbound)
                        return .webSocket(channel, admission, connection)
                    }
                })
            let upgrade = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger))
                        return .http(try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)))
                    }
                })
            var pipeline = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrade)
            pipeline.enablePipelining = false
            // a request NIO cannot parse (a garbage request line, Transfer-Encoding with
            // Content-Length) is answered 400 and closed, never left hanging
            pipeline.enableErrorHandling = true
            pipeline.enableResponseHeaderValidation = false
            let settings = hub.settings
            try channel.pipeline.syncOperations.addHandler(
                RequestHeadGuard(timeoutMs: settings.httpHeaderTimeoutMs, maxBytes: settings.maxHTTPHeaderBytes), position: .first)
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
            try channel.pipeline.syncOperations.addHandler(closer)
            return Value(negotiated: negotiated, channel: channel, refusal: refusal)
        }
    }

    /// Admits an upgrade request for `/ws` (or the conformance echo, when it is mounted).
    /// - Throws: the ``HubError`` to answer with (`not_found` for other paths).
    private func admit(_ head: HTTPRequestHead, channel: any Channel) async throws -> (admitted: Admitted, responseHeaders: HTTPFields) {
        let request = try HTTPRequest(head, secure: false, splitCookie: false)
        let uri = URI(request.path ?? "/")
        let endpoint: Endpoint
        switch uri.path {
        case "/ws":
            let token = Authenticator.token(authorization: request.headerFields[.authorization],
                                            accessTokenParameter: uri.queryParameters.get("access_token"))
            let remoteAddress = ClientAddress.resolve(peer: channel.remoteAddress?.ipAddress ?? "unknown", headers: request.headerFields,
                                                      trustedProxies: hub.settings.trustedProxies)
            let (identity, expiresAt) = try await hub.admit(token: token, origin: request.headerFields[.origin], remoteAddress: remoteAddress)
            // a reconnect storm waits here, before its 101, rather than in the connect hooks
            let pass = try await hub.connectGate.enter()
            channel.closeFuture.whenComplete { _ in pass.release() }   // an upgrade that never completed
            endpoint = .hub(identity: identity, expiresAtMs: expiresAt, remoteAddress: remoteAddress, pass: pass)
        case "/conformance/echo" where hub.settings.conformanceEcho:
            endpoint = .echo
        default:
            throw HubError.notFound("no WebSocket endpoint at \(uri.path)")
        }
        var headers = HTTPFields()
        let deflate = PerMessageDeflate.negotiate(offers: request.headerFields[values: .secWebSocketExtensions])
        if let deflate { headers[.secWebSocketExtensions] = deflate }
        return (Admitted(endpoint: endpoint, acceptsCompressed: deflate != nil), headers)
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http(let http):
                if let refusal = value.refusal.withLockedValue({ $0 }) {
                    await refuse(http, with: refusal, logger: logger)
                } else {
                    await handleHTTP(asyncChannel: http, logger: logger)
                }
            case .webSocket(let channel, let admitted, let connection):
                // returns at once for an open socket: its handlers own it from here, and a
                // task runs only while a message is being handled (InboundQueue)
                switch admitted.endpoint {
                case .hub(let identity, let expiresAtMs, let remoteAddress, let pass):
                    await WebSocketSession.start(hub: hub, identity: identity, expiresAtMs: expiresAtMs,
                                                 remoteAddress: remoteAddress, transport: connection)
                    pass.release()
                case .echo:
                    connection.inbound.start(ConformanceEcho(channel: channel))
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// Answers a refused upgrade with the error body and closes the connection.
    private func refuse(_ http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, with error: HubError, logger: Logger) async {
        let body = error.jsonBody
        var headers = error.httpHeaders
        headers[.connection] = "close"
        headers[.contentLength] = String(body.readableBytes)
        do {
            try await http.executeThenClose { _, outbound in
                try await outbound.write(contentsOf: [
                    .head(HTTPResponse(status: error.status, headerFields: headers)), .body(body), .end(nil),
                ])
            }
        } catch {
            logger.trace("could not answer a refused upgrade", metadata: ["error": .string(String(describing: error))])
        }
    }
}
