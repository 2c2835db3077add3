#include <pcm/sample/textfile_sampler.hpp>

#include "load.hpp"

#include <pcm/sys/unique_fd.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pcm::sample {

void TextfileSampler::read_file(int directory_fd, TextfileEntry& entry) {
    sys::UniqueFd fd(::openat(directory_fd, entry.file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) {
        entry.error = std::string("cannot read: ") + std::strerror(errno);
        entry.families.clear();
        return;
    }
    double mtime = static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
    if (entry.error.empty() && !entry.families.empty() && mtime == entry.mtime_seconds && st.st_size == entry.size)
        return;  // unchanged since the last sample
    entry.mtime_seconds = mtime;
    entry.size = st.st_size;
    entry.error.clear();
    entry.families.clear();
    if (!S_ISREG(st.st_mode)) {
        entry.error = "not a regular file";
        return;
    }
    if (st.st_size > max_file_bytes) {
        entry.error = "larger than " + std::to_string(max_file_bytes) + " bytes";
        return;
    }
    buffer_.resize(static_cast<std::size_t>(max_file_bytes) + 1);
    std::size_t length = 0;
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer_.data() + length, buffer_.size() - length);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            entry.error = std::string("cannot read: ") + std::strerror(errno);
            return;
        }
        if (n == 0 || (length += static_cast<std::size_t>(n)) == buffer_.size()) break;
    }
    if (length > static_cast<std::size_t>(max_file_bytes)) {
        entry.error = "larger than " + std::to_string(max_file_bytes) + " bytes";
        return;
    }
    if (ParseStatus status = parse_prometheus_text(std::string_view(buffer_.data(), length), entry.families); !status)
        entry.error = "line " + std::to_string(status.line) + ": " + status.error;
}

const TextfileReading& TextfileSampler::sample() {
    TextfileReading& r = reading_;
    detail::begin(r.header);
    r.directory = directory_;
    r.scrape_error = false;
    if (directory_.empty()) {
        r.files.clear();
        return r;
    }
    sys::UniqueFd directory_fd(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* dir = directory_fd ? ::fdopendir(::dup(directory_fd.get())) : nullptr;
    if (dir == nullptr) {
        r.header.error.set("%s: %s", directory_.c_str(), std::strerror(errno));
        r.scrape_error = true;
        r.files.clear();
        return r;
    }
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(dir)) {
        std::string_view name = e->d_name;
        if (name.size() > 5 && name.ends_with(".prom") && name.front() != '.') names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    if (names.size() > max_files) {
        r.header.error.set("%s: more than %zu *.prom files; the first %zu by name are read", directory_.c_str(),
                           max_files, max_files);
        r.scrape_error = true;
        names.resize(max_files);
    }
    // Entries kept by name, so that an unchanged file is not parsed again.
    std::vector<TextfileEntry> files;
    files.reserve(names.size());
    for (const std::string& name : names) {
        auto old = std::find_if(r.files.begin(), r.files.end(), [&](const TextfileEntry& e) { return e.file == name; });
        if (old != r.files.end()) files.push_back(std::move(*old));
        else files.push_back(TextfileEntry{name, 0, 0, {}, {}});
        read_file(directory_fd.get(), files.back());
        r.scrape_error = r.scrape_error || !files.back().error.empty();
    }
    r.files = std::move(files);
    return r;
}

}  // namespace pcm::sample
