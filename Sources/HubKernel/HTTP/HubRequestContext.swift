public import Hummingbird
public import NIOCore

/// The request context of every HTTP route, the kernel's and the modules'.
public struct HubRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters).
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address, for per-IP limits.
    public let remoteAddress: String

    /// The context of one request, made by the router.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
