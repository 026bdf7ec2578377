import HeraldCrypto
import Testing

@Suite("ConstantTime and SecureRandom")
struct ConstantTimeTests {
    @Test("equals compares contents and lengths")
    func equals() {
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([0x80, 2, 3], [0, 2, 3]))
        // Slices and non-contiguous collections work too.
        let array: [UInt8] = [9, 1, 2, 3]
        #expect(ConstantTime.equals(array[1...], [1, 2, 3].lazy.map { $0 }))
    }

    @Test("SecureRandom returns the requested count and differs between calls")
    func secureRandom() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        let a = SecureRandom.bytes(count: 1000), b = SecureRandom.bytes(count: 1000)
        #expect(a.count == 1000 && b.count == 1000)
        #expect(a != b)
        // 1000 random bytes all zero would mean the buffer was never filled.
        #expect(a.contains { $0 != 0 })
    }
}
