#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOPosix

/// Client masking keys (RFC 6455 §5.3: "unpredictable", from "a strong source of entropy")
/// from the kernel's CSPRNG (`/dev/urandom`), read 4 KiB at a time per thread instead of one
/// `getrandom` call per 64-bit draw as `SystemRandomNumberGenerator` does on Linux: a load
/// generator sending 100,000 frames a second made 50,000 system calls a second for its
/// keys. The bytes are the kernel's, unchanged; each is used once.
public struct BufferedSystemRandom: RandomNumberGenerator {
    final class Pool {
        var words = [UInt64](repeating: 0, count: 512)
        var index = 512
    }

    /// One pool per thread (ThreadSpecificVariable is safe to share between threads).
    nonisolated(unsafe) static let pools = ThreadSpecificVariable<Pool>()
    /// `/dev/urandom`, opened once; -1 if it cannot be.
    static let urandom: Int32 = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    public init() {}

    public mutating func next() -> UInt64 {
        let pool: Pool
        if let existing = Self.pools.currentValue {
            pool = existing
        } else {
            pool = Pool()
            Self.pools.currentValue = pool
        }
        if pool.index == pool.words.count {
            Self.refill(pool)
        }
        let word = pool.words[pool.index]
        pool.index += 1
        return word
    }

    static func refill(_ pool: Pool) {
        pool.words.withUnsafeMutableBytes { buffer in
            var filled = 0
            if urandom >= 0 {
                while filled < buffer.count {
                    let count = read(urandom, buffer.baseAddress! + filled, buffer.count - filled)
                    if count > 0 {
                        filled += count
                    } else if count == 0 || errno != EINTR {
                        break
                    }
                }
            }
            // Where /dev/urandom cannot be read, the standard library's generator fills the
            // rest (the same kernel source, a word at a time).
            var system = SystemRandomNumberGenerator()
            while filled + 8 <= buffer.count {
                buffer.storeBytes(of: system.next() as UInt64, toByteOffset: filled, as: UInt64.self)
                filled += 8
            }
        }
        pool.index = 0
    }
}
