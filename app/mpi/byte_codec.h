// Packing values into the byte buffers that travel between ranks (mpi_session.h), and
// reading them back. Every rank runs the same binary on the same kind of machine (a
// cluster's nodes), so integers and doubles travel in their in-memory form; what must be
// exact (a double's bit pattern, a fingerprint) stays exact. A reader that runs past the
// end throws instead of reading garbage: a truncated message is a bug to see at once.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "app/mpi/mpi_session.h"

namespace meshsim::mpi {

class ByteWriter {
 public:
  template <class T>
  ByteWriter& put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "put() copies plain values; strings have their own overload");
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
    return *this;
  }
  ByteWriter& put(const std::string& text) {
    put<uint64_t>(text.size());
    const auto* p = reinterpret_cast<const std::byte*>(text.data());
    bytes_.insert(bytes_.end(), p, p + text.size());
    return *this;
  }
  ByteWriter& put_bytes(const Bytes& bytes) {
    put<uint64_t>(bytes.size());
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return *this;
  }
  const Bytes& bytes() const { return bytes_; }
  Bytes take() { return std::move(bytes_); }

 private:
  Bytes bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(const Bytes& bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  std::string get_string() {
    const auto size = get<uint64_t>();
    const std::byte* p = take(size);
    return std::string(reinterpret_cast<const char*>(p), size);
  }
  Bytes get_bytes() {
    const auto size = get<uint64_t>();
    const std::byte* p = take(size);
    return Bytes(p, p + size);
  }
  bool at_end() const { return at_ == bytes_.size(); }

 private:
  const std::byte* take(uint64_t size) {
    if (size > bytes_.size() - at_)
      throw std::runtime_error("mpi: a message ended early (wanted " + std::to_string(size) + " bytes at offset " +
                               std::to_string(at_) + " of " + std::to_string(bytes_.size()) + ")");
    const std::byte* p = bytes_.data() + at_;
    at_ += size;
    return p;
  }
  const Bytes& bytes_;
  size_t at_ = 0;
};

}  // namespace meshsim::mpi
