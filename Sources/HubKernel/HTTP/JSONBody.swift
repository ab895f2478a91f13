public import Foundation
public import Hummingbird
import NIOCore

extension Request {
    /// Decodes a JSON body with the socket's rules: a body that is not a JSON object is
    /// `bad_request`, a wrong or missing field is `validation_failed` naming it, and a
    /// ``Validatable`` body is validated.
    public func decodeJSON<T: Decodable>(_ type: T.Type, maxBytes: Int = 1 << 20) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maxBytes)
        } catch {
            throw HubError.payloadTooLarge("the body is larger than \(maxBytes) bytes")
        }
        return try JSONBody.decode(T.self, from: Data(buffer.readableBytesView))
    }
}

/// Decodes request bodies with the socket's rules.
public enum JSONBody {
    /// Decodes `data` (a body read already, e.g. to check a signature over its bytes): not a
    /// JSON object is `bad_request`, a wrong or missing field `validation_failed` naming it, and
    /// a ``Validatable`` value is validated.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw HubError.badRequest("the body must be a JSON object")
        }
        let value = try PayloadDecoder.decode(T.self, data: data, decoder: JSONDecoder())
        if let validatable = value as? any Validatable { try validatable.validate() }
        return value
    }
}

/// Builds JSON responses.
public enum JSONResponse {
    /// `value` as a JSON body with `status`.
    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
