# Makefile - a thin driver over CMake for README's two commands.
#   make demo   bootstrap, build, run weft on the data the repo ships
#   make test   bootstrap, build (warnings are errors), ctest, then the same
#               suite again under AddressSanitizer + UndefinedBehaviorSanitizer
#               (tests labelled slow run with `make test-slow`; CI runs both)
#   make install PREFIX=DIR, make package (.deb), make package-check
# Plain CMake works too: cmake -B build && cmake --build build && ctest --test-dir build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure -j$(JOBS)
WEFT = $(BUILD)/weft

.PHONY: all bootstrap build build-asan demo test test-asan test-slow test-measure memcheck fuzz install package package-check perf-start clean

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DWEFT_WERROR=ON $(CMAKE_FLAGS)

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DWEFT_WERROR=ON -DWEFT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)

build-asan: bootstrap $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS)

demo: build
	@scripts/demo $(WEFT)

test: build
	ctest --test-dir $(BUILD) $(CTEST_FLAGS) -LE 'slow|measure'
	$(MAKE) test-asan

# slow tests (label "slow": every pattern template generated, built and
# tested twice); CI runs them after `make test`
test-slow: build
	ctest --test-dir $(BUILD) $(CTEST_FLAGS) -L slow

# measurements that depend on the machine (label "measure": the regression
# gate on 20 reruns against a loopback server); not run by CI
test-measure: build
	ctest --test-dir $(BUILD) $(CTEST_FLAGS) -L measure --output-on-failure

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:protect_shadow_gap=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir $(ASAN_BUILD) $(CTEST_FLAGS) -LE 'slow|measure'
	WEFT_PATTERNS_GENERATE_ONLY=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	ctest --test-dir $(ASAN_BUILD) $(CTEST_FLAGS) -L patterns

memcheck: build
	scripts/memcheck $(BUILD)

fuzz: bootstrap
	scripts/fuzz

# make install PREFIX=/opt/weft (default /usr/local); DESTDIR works as usual
PREFIX ?=
install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

# Debian packages weft_<v>_<arch>.deb and, in a CUDA build, weft-cuda_<v>_<arch>.deb
package: build
	cmake --build $(BUILD) --target package

# the packages installed with dpkg into a scratch root and run there (CI)
package-check: build
	scripts/package-check $(BUILD)

# start-up cost, CUDA build against -DWEFT_CUDA=OFF, side by side
perf-start: bootstrap
	scripts/perf-start

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
