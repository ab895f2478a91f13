import Hummingbird
import HubKernel
import NIOCore

/// The browser client: a chat page at `GET /web` (and its script at `/web/app.js`), built on
/// the public wire protocol only. It is a module so operators can switch it off like any
/// feature. Messages are rendered as text, never as HTML, and the Content-Security-Policy
/// forbids inline scripts: a `<script>` sent in chat is shown, not run.
struct WebClientModule: HubModule {
    static let name: ModuleName = "web"

    init(setup: ModuleSetup) throws {}

    private static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        .init("X-Content-Type-Options")!: "nosniff",
        .init("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-cache",
    ]

    private static func asset(_ text: String, type: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    var routes: RouteCollection<HubRequestContext> {
        let routes = RouteCollection(context: HubRequestContext.self)
        routes.get("") { _, _ in Self.asset(WebClientAssets.page, type: "text/html; charset=utf-8") }
        routes.get("app.js") { _, _ in Self.asset(WebClientAssets.script, type: "text/javascript; charset=utf-8") }
        return routes
    }
}
