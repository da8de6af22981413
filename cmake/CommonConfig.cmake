# SPDX-License-Identifier: GPL-3.0-or-later
# One INTERFACE target carries the language level, warnings and Qt hygiene
# macros for every TrainGuard target (as qBittorrent's CommonConfig.cmake).
add_library(trainguard_common INTERFACE)
add_library(TrainGuard::common ALIAS trainguard_common)

target_compile_features(trainguard_common INTERFACE cxx_std_20)

target_compile_definitions(trainguard_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_FOREACH
    # Enforced by Qt >= 6.7; on 6.4 it documents intent and keeps us ready.
    QT_NO_CONTEXTLESS_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    TRAINGUARD_VERSION_STRING="${PROJECT_VERSION}")

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(trainguard_common INTERFACE
        -Wall -Wextra -Wpedantic
        -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-align
        -Wimplicit-fallthrough -Wformat=2 -Wmissing-declarations
        -Wnull-dereference -Wdouble-promotion)
endif()

# TRAINGUARD_SANITIZE=ON (the asan preset): ASan + UBSan, abort on UB. GCC's "undefined" leaves
# out float-cast-overflow (a double out of an integer's range, e.g. from JSON): named explicitly.
option(TRAINGUARD_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(TRAINGUARD_SANITIZE)
    target_compile_options(trainguard_common INTERFACE
        -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(trainguard_common INTERFACE -fsanitize=address,undefined,float-cast-overflow)
endif()

# TRAINGUARD_FUZZ=ON (the fuzz preset, clang only): everything instrumented for libFuzzer's
# coverage feedback plus ASan and UBSan; tests/fuzz then builds the fuzz_<target> binaries.
option(TRAINGUARD_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(TRAINGUARD_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "TRAINGUARD_FUZZ needs clang (libFuzzer): use the fuzz preset")
    endif()
    target_compile_options(trainguard_common INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1)
    target_link_options(trainguard_common INTERFACE -fsanitize=address,undefined)
endif()
