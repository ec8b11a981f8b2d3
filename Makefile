# trailwatch: the two set-up commands are `make demo` and `make test` (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

ASAN_BUILD ?= build-asan
# Sanitizer reports abort (SIGABRT), so that no exit status a test expects can hide them.
SANITIZER_ENV = ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1

.PHONY: all deps build demo test test-asan bench clean format lambda-zip install deb

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole ctest suite (unit, golden, integration, and the fuzz corpora as fuzz.*) under ASan and
# UBSan, in $(ASAN_BUILD). The bench and its callgrind gate are not built: valgrind and ASan do
# not mix, and timings under ASan mean nothing. CTEST_ARGS narrows it, e.g. CTEST_ARGS="-L unit".
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTW_SANITIZE=ON \
		-DTW_BUILD_BENCH=OFF -DTW_ONLY=  # every module, even if the cache held a subset
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The Lambda deployment package, $(BUILD)/trailwatch-lambda-<arch>.zip (docs/deploy.md). `build`
# makes it too; this target builds only it.
lambda-zip: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target lambda_zip

# Installs the binary, the man page, the systemd unit and the example config under PREFIX
# (default /usr/local; the config goes to /etc/trailwatch when PREFIX is /usr), into DESTDIR.
PREFIX ?= /usr/local
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# The Debian package $(BUILD)/trailwatch_<version>_<arch>.deb (dpkg-deb; docs/deploy.md).
deb: build
	./deploy/deb/build_deb.sh $(BUILD) $(BUILD)

bench: build
	./bench/run.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
