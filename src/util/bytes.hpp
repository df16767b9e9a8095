#pragma once
// Bounds-checked big-endian reader/writer. The reader never reads past its
// span: an out-of-range read returns zero and marks the reader failed, so a
// decoder checks `ok()` once after reading a structure instead of after
// every field.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace fmc {

using Bytes = std::span<const std::uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(Bytes data) : data_(data) {}

  bool ok() const { return ok_; }
  std::size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  std::size_t position() const { return pos_; }
  bool has(std::size_t n) const { return ok_ && data_.size() - pos_ >= n; }
  void fail() { ok_ = false; }

  std::uint8_t u8() { return take(1) ? data_[pos_ - 1] : 0; }
  std::uint16_t u16() {
    if (!take(2)) return 0;
    const auto* p = data_.data() + pos_ - 2;
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
  }
  std::uint32_t u32() {
    if (!take(4)) return 0;
    const auto* p = data_.data() + pos_ - 4;
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
  }
  std::uint64_t u64() {
    const std::uint64_t hi = u32();
    return hi << 32 | u32();
  }
  Bytes bytes(std::size_t n) {
    if (!take(n)) return {};
    return data_.subspan(pos_ - n, n);
  }
  void skip(std::size_t n) { take(n); }
  // Fixed-size, NUL-padded string field (port names, desc strings).
  std::string_view fixed_string(std::size_t n) {
    const Bytes b = bytes(n);
    std::size_t len = 0;
    while (len < b.size() && b[len] != 0) ++len;
    return {reinterpret_cast<const char*>(b.data()), len};
  }
  Bytes rest() { return bytes(remaining()); }

 private:
  bool take(std::size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  Bytes data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Big-endian writer into a buffer already of its final size (a fixed-length frame):
// no growth and no capacity checks per byte. The caller sizes the buffer; writing
// past its end is a bug (asserted).
class SpanWriter {
 public:
  explicit SpanWriter(std::span<std::uint8_t> out) : out_(out) {}

  void u8(std::uint8_t v) { *at(1) = v; }
  void u16(std::uint16_t v) {
    auto* p = at(2);
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void bytes(Bytes b) { std::memcpy(at(b.size()), b.data(), b.size()); }

 private:
  std::uint8_t* at(std::size_t n) {
    assert(out_.size() - pos_ >= n);
    pos_ += n;
    return out_.data() + pos_ - n;
  }
  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
};

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  std::size_t position() const { return out_.size(); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v >> 32));
    u32(static_cast<std::uint32_t>(v));
  }
  void bytes(Bytes b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
  void fixed_string(std::string_view s, std::size_t n) {
    const std::size_t len = s.size() < n ? s.size() : n - 1;
    out_.insert(out_.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(len));
    zeros(n - len);
  }
  void pad_to(std::size_t start, std::size_t multiple) {
    while ((out_.size() - start) % multiple != 0) out_.push_back(0);
  }
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }

 private:
  std::vector<std::uint8_t>& out_;
};

}  // namespace fmc
