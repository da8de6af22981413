# Capture dissector fuzzing (included from tests/capture/CMakeLists.txt).
# - replay_capture_corpus: always built, a ctest that replays tests/data/capture through the
#   fuzz entry point (plain compiler, no libFuzzer).
# - fuzz_capture_dissector: libFuzzer + ASan/UBSan, only with clang and -DTRAINGUARD_FUZZ=ON:
#     CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DTRAINGUARD_FUZZ=ON -DTRAINGUARD_BUILD_GUI=OFF
#     cmake --build build/fuzz --target fuzz_capture_dissector
#     mkdir -p /tmp/corpus && build/fuzz/tests/capture/fuzz_capture_dissector -max_total_time=60 /tmp/corpus tests/data/capture
option(TRAINGUARD_FUZZ "Build libFuzzer targets (clang only)" OFF)

set(TRAINGUARD_CAPTURE_FUZZ_SOURCES
    ${PROJECT_SOURCE_DIR}/src/core/capture/AnalysisReport.cpp
    ${PROJECT_SOURCE_DIR}/src/core/capture/FlowTable.cpp
    ${PROJECT_SOURCE_DIR}/src/core/capture/PacketDissector.cpp
    ${PROJECT_SOURCE_DIR}/src/core/capture/TlsStreamParser.cpp
    ${PROJECT_SOURCE_DIR}/src/core/capture/TrafficAnalyzer.cpp)

qt_add_executable(replay_capture_corpus
    ${CMAKE_CURRENT_LIST_DIR}/replay_capture_corpus.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fuzz_capture_dissector.cpp)
target_link_libraries(replay_capture_corpus PRIVATE trainguard_common trainguard_core PkgConfig::PCAP)
target_compile_definitions(replay_capture_corpus PRIVATE TRAINGUARD_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
add_test(NAME replay_capture_corpus COMMAND replay_capture_corpus)
set_tests_properties(replay_capture_corpus PROPERTIES LABELS "unit;fuzz" TIMEOUT 120)

if(TRAINGUARD_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    qt_add_executable(fuzz_capture_dissector
        ${CMAKE_CURRENT_LIST_DIR}/fuzz_capture_dissector.cpp ${TRAINGUARD_CAPTURE_FUZZ_SOURCES})
    target_include_directories(fuzz_capture_dissector PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(fuzz_capture_dissector PRIVATE trainguard_common Qt6::Core)
    target_compile_options(fuzz_capture_dissector PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_capture_dissector PRIVATE -fsanitize=fuzzer,address,undefined)
    # A short smoke run in CI: bounded time, fresh corpus in the build tree.
    # New inputs go to the first (build-tree) directory; the fixtures are only read.
    file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus)
    add_test(NAME fuzz_capture_dissector_smoke
        COMMAND fuzz_capture_dissector -max_total_time=20 -rss_limit_mb=1024
                ${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus ${PROJECT_SOURCE_DIR}/tests/data/capture)
    set_tests_properties(fuzz_capture_dissector_smoke PROPERTIES LABELS "fuzz" TIMEOUT 120)
endif()
