/// A type-erased random number generator, so ``Connection`` need not be generic.
public struct AnyRandomNumberGenerator: RandomNumberGenerator {
    var base: any RandomNumberGenerator

    /// Wraps a generator.
    public init(_ base: some RandomNumberGenerator) {
        self.base = base
    }

    /// The next 64 random bits from the wrapped generator.
    public mutating func next() -> UInt64 {
        base.next()
    }
}
