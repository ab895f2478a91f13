/// A payload that checks its own rules before its handler runs.
///
/// Validation is a pure function of the payload: no database, no identity. The kernel calls
/// it after decoding and before `handle`, so a handler never sees an invalid payload.
/// ```swift
/// struct Payload: Decodable, Validatable {
///     var text: String
///     func validate() throws(ValidationFailure) {
///         guard (1...4000).contains(text.count) else {
///             throw ValidationFailure("text", "text must be 1 to 4000 characters")
///         }
///     }
/// }
/// ```
public protocol Validatable {
    /// Throws the first broken rule.
    func validate() throws(ValidationFailure)
}

/// A broken payload rule: the wire's `validation_failed` with the offending `field`.
public struct ValidationFailure: Error, Sendable, Equatable, WireErrorConvertible {
    /// The payload field at fault, as a dotted path (`filters.status`).
    public var field: String
    /// What is wrong, for people.
    public var message: String

    /// A failure of `field`, explained to a person by `message`.
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `validation_failed` naming the field.
    public var hubError: HubError { .validation(field, message) }
}
