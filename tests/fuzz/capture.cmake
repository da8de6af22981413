# SPDX-License-Identifier: GPL-3.0-or-later
# Capture dissector corpus replay (included from tests/capture/CMakeLists.txt).
# replay_capture_corpus: always built, a ctest that replays the pcap fixtures of tests/data/capture,
# converted to the fuzzer's frame format, through the fuzz entry point (no libFuzzer). The
# libFuzzer binary fuzz_capture_dissector and its seed replay are in tests/fuzz/CMakeLists.txt.

qt_add_executable(replay_capture_corpus
    ${CMAKE_CURRENT_LIST_DIR}/replay_capture_corpus.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fuzz_capture_dissector.cpp)
target_link_libraries(replay_capture_corpus PRIVATE trainguard_common trainguard_core PkgConfig::PCAP)
target_compile_definitions(replay_capture_corpus PRIVATE TRAINGUARD_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
add_test(NAME replay_capture_corpus COMMAND replay_capture_corpus)
set_tests_properties(replay_capture_corpus PROPERTIES LABELS "unit;fuzz" TIMEOUT 120)
