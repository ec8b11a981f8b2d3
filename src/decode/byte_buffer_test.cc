#include "decode/byte_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace tw::decode {
namespace {

// The padding after the contents is readable and reads as NULs.
void ExpectZeroPadding(const ByteBuffer& b) {
  ASSERT_GE(b.capacity(), b.size() + kJsonPadding);
  EXPECT_EQ(std::string_view(b.data() + b.size(), kJsonPadding), std::string(kJsonPadding, '\0'));
}

TEST(ByteBuffer, StartsEmptyAndHasPaddingOnceSized) {
  ByteBuffer b;
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  b.Clear();
  EXPECT_EQ(b.size(), 0u);
  ExpectZeroPadding(b);
}

// Growing keeps the bytes held so far (as std::string::resize would) and pads after the new size.
TEST(ByteBuffer, ResizeKeepsTheContentsWhenItGrows) {
  ByteBuffer b;
  b.Resize(5);
  std::memcpy(b.data(), "hello", 5);
  b.Resize(100'000);
  EXPECT_EQ(std::string_view(b.data(), 5), "hello");
  EXPECT_EQ(b.size(), 100'000u);
  ExpectZeroPadding(b);
  b.Resize(3);
  EXPECT_EQ(b.view(), "hel");
  ExpectZeroPadding(b);  // the byte after "hel" was 'l': padding is re-zeroed
}

// Large buffers (mappings) keep their contents when they grow (mremap), and an empty one grows
// afresh.
TEST(ByteBuffer, LargeBuffersKeepTheirContentsWhenTheyGrow) {
  ByteBuffer b;
  const std::string text(300'000, 'q');
  b.Resize(text.size());
  std::memcpy(b.data(), text.data(), text.size());
  b.Resize(5'000'000);
  EXPECT_EQ(std::string_view(b.data(), text.size()), text);
  ExpectZeroPadding(b);
  b.Resize(text.size() + 1);
  EXPECT_EQ(b.view().substr(0, text.size()), text);
  ExpectZeroPadding(b);
  b.Clear();
  b.Resize(20'000'000);
  EXPECT_EQ(b.size(), 20'000'000u);
  ExpectZeroPadding(b);
}

// Reserve makes room without changing the size; a smaller input after a larger one reuses the
// storage (the point of the class: no allocation, and no fill, per input).
TEST(ByteBuffer, ReservesWithoutResizingAndReusesItsStorage) {
  ByteBuffer b;
  b.Resize(2);
  std::memcpy(b.data(), "ab", 2);
  b.Reserve(1 << 20);
  EXPECT_EQ(b.view(), "ab");
  EXPECT_GE(b.capacity(), (1u << 20) + kJsonPadding);
  const char* storage = b.data();
  const size_t capacity = b.capacity();
  b.Clear();
  b.Resize(1 << 19);
  b.Resize(1 << 20);
  EXPECT_EQ(b.data(), storage);
  EXPECT_EQ(b.capacity(), capacity);
  ByteBuffer moved = std::move(b);
  EXPECT_EQ(moved.data(), storage);
  moved.Release();
  EXPECT_EQ(moved.capacity(), 0u);
  EXPECT_EQ(moved.size(), 0u);
}

}  // namespace
}  // namespace tw::decode
