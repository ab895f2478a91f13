import Hummingbird
import HubKernel
import NIOCore

/// The browser client: the chat page at `GET /web`, the betting page at `/web/betting`, the
/// CHSH player's page at `/web/chsh` and host dashboard at `/web/chsh/host`, and
/// `switchboard.js`, the client library any app can import (docs/client-js.md). The files
/// live in `Sources/Switchboard/Web` and are compiled into the binary (SwiftPM's
/// `embedInCode`), so a copied executable serves them. It is a module so operators can
/// switch it off like any feature.
///
/// Pages are built on the public wire protocol only. User text is rendered as text, never
/// as HTML, and the Content-Security-Policy allows scripts and styles from this origin only
/// (no inline script, no inline style, no other host): a `<script>` sent in chat is shown,
/// not run.
struct WebClientModule: HubModule {
    static let name: ModuleName = "web"

    init(setup: ModuleSetup) throws {}

    private static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        .init("X-Content-Type-Options")!: "nosniff",
        .init("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-cache",
    ]

    /// One embedded file with its content type.
    private struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
    }

    private static let assets: [String: Asset] = [
        "": Asset(bytes: PackageResources.index_html, contentType: "text/html; charset=utf-8"),
        "app.js": Asset(bytes: PackageResources.app_js, contentType: "text/javascript; charset=utf-8"),
        "app.css": Asset(bytes: PackageResources.app_css, contentType: "text/css; charset=utf-8"),
        "switchboard.js": Asset(bytes: PackageResources.switchboard_js, contentType: "text/javascript; charset=utf-8"),
        "session.js": Asset(bytes: PackageResources.session_js, contentType: "text/javascript; charset=utf-8"),
        "betting": Asset(bytes: PackageResources.betting_html, contentType: "text/html; charset=utf-8"),
        "betting.js": Asset(bytes: PackageResources.betting_js, contentType: "text/javascript; charset=utf-8"),
        "betting.css": Asset(bytes: PackageResources.betting_css, contentType: "text/css; charset=utf-8"),
        "chsh": Asset(bytes: PackageResources.chsh_html, contentType: "text/html; charset=utf-8"),
        "chsh.js": Asset(bytes: PackageResources.chsh_js, contentType: "text/javascript; charset=utf-8"),
        "chsh.css": Asset(bytes: PackageResources.chsh_css, contentType: "text/css; charset=utf-8"),
        "chsh/host": Asset(bytes: PackageResources.chsh_host_html, contentType: "text/html; charset=utf-8"),
        "chsh-host.js": Asset(bytes: PackageResources.chsh_host_js, contentType: "text/javascript; charset=utf-8"),
        "chsh-host.css": Asset(bytes: PackageResources.chsh_host_css, contentType: "text/css; charset=utf-8"),
        "qrcode.js": Asset(bytes: PackageResources.qrcode_js, contentType: "text/javascript; charset=utf-8"),
        "helpdesk": Asset(bytes: PackageResources.helpdesk_html, contentType: "text/html; charset=utf-8"),
        "helpdesk.js": Asset(bytes: PackageResources.helpdesk_js, contentType: "text/javascript; charset=utf-8"),
        "helpdesk.css": Asset(bytes: PackageResources.helpdesk_css, contentType: "text/css; charset=utf-8"),
        "admin": Asset(bytes: PackageResources.admin_html, contentType: "text/html; charset=utf-8"),
        "admin.js": Asset(bytes: PackageResources.admin_js, contentType: "text/javascript; charset=utf-8"),
        "admin.css": Asset(bytes: PackageResources.admin_css, contentType: "text/css; charset=utf-8"),
    ]

    var routes: RouteCollection<HubRequestContext> {
        let routes = RouteCollection(context: HubRequestContext.self)
        for (path, asset) in Self.assets {
            let body = ByteBuffer(bytes: asset.bytes)
            routes.get(RouterPath(stringLiteral: path)) { _, _ in
                var headers = Self.securityHeaders
                headers[.contentType] = asset.contentType
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
            }
        }
        return routes
    }
}
