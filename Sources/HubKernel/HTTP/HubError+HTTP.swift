public import Foundation
public import Hummingbird
import HTTPTypes
import Logging

extension HubError: HTTPResponseError {
    /// The HTTP status of the error's code (protocol.md "Error codes").
    public var status: HTTPResponse.Status { .init(code: code.httpStatus) }

    /// The JSON error body with its status, as every HTTP route answers a failure.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        httpResponse()
    }

    /// `{"error":{…}}` with the code's status, and `Retry-After` for `rate_limited`.
    public func httpResponse() -> Response {
        Response(status: status, headers: httpHeaders, body: .init(byteBuffer: jsonBody))
    }

    /// The headers of the error response.
    var httpHeaders: HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfterMs {
            headers[.retryAfter] = String(max(1, (retryAfterMs + 999) / 1000))
        }
        return headers
    }

    /// The JSON error body.
    var jsonBody: ByteBuffer {
        struct Body: Encodable { var error: ErrorBody }
        return ByteBuffer(bytes: (try? JSONEncoder().encode(Body(error: ErrorBody(self)))) ?? Data())
    }
}

/// Turns every error escaping an HTTP route into the protocol's JSON error body.
struct HTTPErrorMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let hub: Hub

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let code: ErrorCode = switch error.status.code {
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 413: .payloadTooLarge
            case 429: .rateLimited
            case 503: .unavailable
            case 400..<500: .badRequest
            default: .internal
            }
            return HubError(code, error.body ?? error.status.reasonPhrase).httpResponse()
        } catch {
            var logger = context.logger
            logger[metadataKey: "http.path"] = .string(request.uri.path)
            return hub.wireError(error, logger: logger).httpResponse()
        }
    }
}
