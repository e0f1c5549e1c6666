/* SPDX-License-Identifier: MIT */
#include "os/device.h"

#include "os/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int os_loopback_up(void) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        memcpy(ifr.ifr_name, "lo", 3);
        int r = 0;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                r = -errno;
        else if (ifr.ifr_flags & IFF_UP)
                r = 1;
        else {
                ifr.ifr_flags |= IFF_UP;
                if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                        r = -errno;
        }
        close(fd);
        return r;
}

int os_clock_realtime(int64_t *ret_sec) {
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return -errno;
        *ret_sec = (int64_t)ts.tv_sec;
        return 0;
}

int os_clock_set_realtime(int64_t sec) {
        struct timespec ts = { .tv_sec = (time_t)sec, .tv_nsec = 0 };
        if (clock_settime(CLOCK_REALTIME, &ts) < 0)
                return -errno;
        return 0;
}

int os_touch(const char *path) {
        int fd;
        do
                fd = open(path, O_WRONLY | O_CREAT | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0644);
        while (fd < 0 && errno == EINTR);
        if (fd < 0)
                return -errno;
        int r = 0;
        if (futimens(fd, NULL) < 0 || fsync(fd) < 0)
                r = -errno;
        close(fd);
        return r;
}

int os_link_exists(const char *path) {
        struct stat st;
        if (lstat(path, &st) == 0)
                return 1;
        return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}

int os_path_device(const char *path, unsigned *ret_major, unsigned *ret_minor) {
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        *ret_major = major(st.st_dev);
        *ret_minor = minor(st.st_dev);
        return 0;
}

int os_write_text(const char *path, const char *text) {
        int fd;
        do
                fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0)
                return -errno;
        int r = os_write_all(fd, text, strlen(text));
        if (close(fd) < 0 && r == 0 && errno != EINTR)
                r = -errno;
        return r;
}

static int speed_of(unsigned baud, speed_t *ret) {
        static const struct { unsigned baud; speed_t speed; } rates[] = {
                { 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 }, { 19200, B19200 },
                { 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
                { 460800, B460800 }, { 500000, B500000 }, { 576000, B576000 }, { 921600, B921600 },
                { 1000000, B1000000 }, { 1500000, B1500000 }, { 2000000, B2000000 }, { 3000000, B3000000 },
        };
        for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
                if (rates[i].baud == baud) {
                        *ret = rates[i].speed;
                        return 0;
                }
        return -EINVAL;
}

int os_tty_set_line(int fd, unsigned baud, char parity, unsigned bits) {
        static const tcflag_t sizes[] = { CS5, CS6, CS7, CS8 };
        speed_t speed;
        struct termios t;
        if (speed_of(baud, &speed) < 0 || bits < 5 || bits > 8)
                return -EINVAL;
        if (tcgetattr(fd, &t) < 0)
                return -errno;
        if (cfsetispeed(&t, speed) < 0 || cfsetospeed(&t, speed) < 0)
                return -errno;
        t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
        t.c_cflag |= sizes[bits - 5] | CLOCAL | CREAD;
        if (parity == 'o' || parity == 'e')
                t.c_cflag |= PARENB | (parity == 'o' ? PARODD : 0);
        t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY | ICRNL | INLCR);
        t.c_oflag = 0;
        t.c_lflag = 0;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        if (tcsetattr(fd, TCSANOW, &t) < 0)
                return -errno;
        return 0;
}

int os_write_to_tty(const char *path, const char *text, size_t len) {
        int fd;
        do
                fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0)
                return -errno;
        int r = os_write_all(fd, text, len);
        close(fd);
        return r;
}

int os_stdio_to_null(void) {
        int fd;
        do
                fd = open("/dev/null", O_RDWR | O_NOCTTY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0)
                return -errno;
        int r = 0;
        for (int i = 0; i < 3; i++)
                if (fd != i && dup2(fd, i) < 0 && r == 0)
                        r = -errno;
        if (fd > 2)
                close(fd);
        return r;
}
