#include "match/value_table.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace tw::match {
namespace {

TEST(ValueTable, EmptyTableFindsNothing) {
  ValueTable table;
  EXPECT_EQ(table.Find(""), ValueTable::kNotFound);
  EXPECT_EQ(table.Find("eventName"), ValueTable::kNotFound);
  ValueTable built(std::vector<std::string>{});
  EXPECT_EQ(built.Find("x"), ValueTable::kNotFound);
}

TEST(ValueTable, FindsEachKeyAtItsPosition) {
  // Every length from 0 to 40, so each of Head's cases (0, 1-3, 4-7, 8+ bytes) and each of the
  // comparisons (up to 8, up to 16, longer) is met.
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::vector<std::string> keys;
  for (size_t n = 0; n <= 40; ++n) keys.push_back(alphabet.substr(0, n));
  ValueTable table(keys);
  ASSERT_EQ(table.size(), 41u);
  for (uint32_t i = 0; i < keys.size(); ++i) EXPECT_EQ(table.Find(keys[i]), i) << keys[i];
}

TEST(ValueTable, OneChangedByteAnywhereIsNotAKey) {
  const std::vector<std::string> keys = {"a",
                                         "ab",
                                         "abc",
                                         "abcd",
                                         "abcde",
                                         "abcdefg",
                                         "abcdefgh",
                                         "abcdefghi",
                                         "CreateAccessKey",
                                         "AuthorizeSecurityGroupIngress",
                                         "signin.amazonaws.com",
                                         "DescribeInstances"};
  ValueTable table(keys);
  for (const std::string& k : keys) {
    for (size_t i = 0; i < k.size(); ++i) {
      std::string changed = k;
      changed[i] = static_cast<char>(changed[i] ^ 0x20);
      EXPECT_EQ(table.Find(changed), ValueTable::kNotFound) << changed;
    }
    EXPECT_EQ(table.Find(k + "x"), ValueTable::kNotFound) << k;
    EXPECT_EQ(table.Find(k + std::string(1, '\0')), ValueTable::kNotFound) << k;
    if (k.size() > 1) {
      EXPECT_EQ(table.Find(k.substr(1)), ValueTable::kNotFound) << k;
      EXPECT_EQ(table.Find(k.substr(0, k.size() - 1)) == ValueTable::kNotFound,
                std::find(keys.begin(), keys.end(), k.substr(0, k.size() - 1)) == keys.end())
          << k;
    }
  }
  EXPECT_EQ(table.Find(""), ValueTable::kNotFound);
}

TEST(ValueTable, NulBytesAreBytesLikeAnyOther) {
  // A short value is zero-extended to a word: "a" and "a\0" share their first word, and must
  // still be told apart (by length), as must "\0" and "".
  const std::vector<std::string> keys = {std::string("a"), std::string("a\0", 2),
                                         std::string("\0", 1), std::string("a\0b\0c\0d\0e", 9)};
  ValueTable table(keys);
  EXPECT_EQ(table.Find(std::string("a")), 0u);
  EXPECT_EQ(table.Find(std::string("a\0", 2)), 1u);
  EXPECT_EQ(table.Find(std::string("\0", 1)), 2u);
  EXPECT_EQ(table.Find(std::string("a\0b\0c\0d\0e", 9)), 3u);
  EXPECT_EQ(table.Find(""), ValueTable::kNotFound);
  EXPECT_EQ(table.Find(std::string("a\0\0", 3)), ValueTable::kNotFound);
  EXPECT_EQ(table.Find(std::string("a\0b\0c\0d\0f", 9)), ValueTable::kNotFound);
}

TEST(ValueTable, KeysWithTheSameLengthAndEndsDifferOnlyInTheMiddle) {
  // Same length, same first 8 and last 8 bytes: the table cannot tell them apart by its probe
  // and must compare the middles (collisions, one chain).
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back("arn:aws:" + std::to_string(1000 + i) + ":suffix!");
  ValueTable table(keys);
  for (uint32_t i = 0; i < keys.size(); ++i) EXPECT_EQ(table.Find(keys[i]), i);
  EXPECT_EQ(table.Find("arn:aws:0999:suffix!"), ValueTable::kNotFound);
  EXPECT_EQ(table.Find("arn:aws:1300:suffix!"), ValueTable::kNotFound);
}

TEST(ValueTable, ManyKeys) {
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("Event" + std::to_string(i * 7919));
  ValueTable table(keys);
  for (uint32_t i = 0; i < keys.size(); ++i) ASSERT_EQ(table.Find(keys[i]), i);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(table.Find("Event" + std::to_string(i * 7919 + 1)), ValueTable::kNotFound);
  }
}

TEST(ValueTable, ReadsNoBytePastTheValue) {
  // A value that ends where readable memory ends: any read past it faults.
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* mem = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  char* base = static_cast<char*>(mem);
  ASSERT_EQ(mprotect(base + page, page, PROT_NONE), 0);
  const std::vector<std::string> keys = {"", "a", "ab", "abc", "abcdefg", "abcdefghijklmnopqrstu"};
  ValueTable table(keys);
  for (uint32_t i = 0; i < keys.size(); ++i) {
    char* at = base + page - keys[i].size();
    std::memcpy(at, keys[i].data(), keys[i].size());
    EXPECT_EQ(table.Find(std::string_view(at, keys[i].size())), i);
  }
  munmap(mem, 2 * page);
}

}  // namespace
}  // namespace tw::match
