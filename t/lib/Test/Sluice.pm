package Test::Sluice;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Test::Sluice - run nginx with Sluice in a test directory, Test::Nginx style

=head1 SYNOPSIS

    use strict;
    use warnings;
    use Test::More;
    use lib 't/lib';
    use Test::Sluice;

    my $t = Test::Sluice->new()->plan(3);

    # the usual nginx.conf: RTMP ingest, the API, the packager
    $t->write_sluice_conf(location => 'sluice_live_window 60s;');
    $t->run();

    my $ev = $t->create_live_event('ev1', token => $token);   # Sluice::API
    my $pub = $t->publish(input => Sluice::Ingest::fixture('av'),
        url => "rtmp://127.0.0.1:" . $t->port(1935) . "/live/$token/s");

    my $loc = $ev->{properties}{preview}{previewLocator};
    ok($t->wait_for(sub {
        $t->get("/$loc/preview.ism/manifest")->{status} == 200
    }, timeout => 30, what => 'a manifest'), 'manifest');

    my $r = $t->api(GET => 'liveEvents/ev1');
    is($r->{status}, 200, 'status');
    is($r->{json}{name}, 'ev1', 'name');

    # $t->stop() is optional; at the end of the file the publishers and
    # nginx are stopped and error.log is checked (one extra test, counted
    # by plan()).  t/000-smoke.t shows the lower level: a hand-written
    # nginx.conf through write_file_expand().

Run with C<prove -I t/lib t/> after C<./build.sh build>, or through
C<./build.sh test> which also sets the environment below.

=head1 ENVIRONMENT

=over

=item SLUICE_NGINX

nginx binary; default F<build/objs/nginx> (F<build/asan/objs/nginx> when
SLUICE_SANITIZE=1).

=item SLUICE_MODULES_DIR

directory holding F<ngx_rtmp_module.so> and F<ngx_http_sluice_module.so>;
default the directory of the binary.

=item SLUICE_SANITIZE

1 when testing the ASan+UBSan build (sets ASAN_OPTIONS/UBSAN_OPTIONS for
nginx; reports in error.log or in nginx's own output fail the final check;
F<t/lib/ubsan.supp> suppresses known benign reports in nginx's own code).

=item SLUICE_TEST_KEEP

keep the test directories (printed as diagnostics) instead of removing them.

=item SLUICE_TEST_LOG_LEVEL

error_log level in C<%%TEST_GLOBALS%%>; default C<info> (C<debug> works: the
binary is built --with-debug, but logs grow large with media).

=back

=head1 CONFIGURATION PLACEHOLDERS (write_file_expand)

=over

=item %%TEST_GLOBALS%%

main-context lines: C<load_module> of nginx-rtmp then Sluice, C<pid>,
C<error_log>, C<daemon on; master_process on;> and, when running as root,
C<user root;> (so workers can write to the test directory).
C<worker_processes> (default 1) and C<thread_pool> are left to the test.

=item %%TEST_GLOBALS_HTTP%%

http-context lines: access_log and temp paths inside the test directory,
C<log_not_found off> (a 404 for a missing static file is not an [error]).

=item %%PORT_NNNN%%

a free TCP port on 127.0.0.1, the same one for the same NNNN within a test
object (C<< $t->port(NNNN) >> returns it).  Use 8080 for plain HTTP, 8443
for HTTPS, 1935 for RTMP: the helpers default to those.

=item %%TESTDIR%%, %%MODULES_DIR%%, %%ROOT%%

the test directory (nginx prefix), the modules directory, the repository.

=item %%API_KEY%%

the API key the C<api()> helper sends (default C<sluice-test-key>).

=item %%CERT%%, %%CERT_KEY%%

a self-signed certificate for 127.0.0.1 and localhost and its key, made on
first use in the test directory.

=back

=head1 METHODS

=over

=item new(%opts)

creates a fresh test directory.  No option is required.  Options:
C<nginx> (binary), C<modules_dir>, C<rtmp_module> and C<sluice_module>
(full paths of the two .so files loaded by C<%%TEST_GLOBALS%%>).

=item plan($n)

C<Test::More::plan(tests =E<gt> $n + 1)>: the extra test is the error-log
check run at the end.  Returns $t.  Alternatively call
C<< $t->done_testing() >> at the end instead of a plan.

=item skip_all($reason), has_program($name...)

C<has_program> skips the whole file when a program is not in PATH.

=item write_file($name, $content), write_file_expand($name, $content),
read_file($name)

files relative to the test directory.

=item write_sluice_conf(%o), sluice_conf(%o)

writes nginx.conf (C<sluice_conf> returns its text) from the usual
skeleton: C<worker_processes>, C<thread_pool sluice>, an rtmp server on
%%PORT_1935%% with the RTMP applications, an http block with
C<sluice_zone sluice 16m>, C<sluice_data_path>, C<sluice_account>,
C<sluice_api_key %%API_KEY%%>, C<sluice_ingest_url> and
C<sluice_preview_url>, and a server on %%PORT_8080%% with the API location
(C<~* ^/subscriptions/>) and the packager location (C</>).  %%ACCOUNT%%
is replaced by the account; the other placeholders are expanded as by
C<write_file_expand>.  Options (text options are lines, re-indented to
their block, may span several lines):
C<workers> (default 2),
C<threads> (thread_pool size, default 2; 0: no pool),
C<main> (extra main-context lines),
C<events> (lines of the events block, e.g. C<worker_connections>),
C<rtmp> (extra lines of the rtmp server),
C<apps> (all the RTMP applications; default one C<live> with
C<live on; sluice_ingest on;> and, with a pool, C<sluice_thread_pool
sluice;>), C<app_pool> (0: not that last line), C<app> (extra lines of the
default C<live> application),
C<http> (extra http lines, after the sluice_* ones),
C<account> (default C<< $t->account >>), C<data> (default C<data>),
C<preview_url> (default C<http://127.0.0.1:%%PORT_8080%%>),
C<port> (the server's %%PORT_N%%, default 8080),
C<listen> (appended to the C<listen> of the server, e.g. C<' reuseport'>),
C<server> (extra lines of the server, before its locations),
C<location> (extra lines of the packager location),
C<api> (0: no API location), C<packager> (0: no packager location),
C<servers> (extra http lines after the server, e.g. other servers),
C<ingest> (0: no rtmp block, for the API-only suites),
C<sluice> (the sluice_* lines of the http block instead of the six above,
for the suites that test those directives: zone size, several keys or
ingest URLs, no account...),
C<tail> (main-context text after the http block).

=item run(), try_run()

start nginx (C<nginx -p TESTDIR/ -c nginx.conf -e error.log>), wait for its
pid file.  C<run> dies on failure (with the error log); C<try_run> returns
false instead.

=item stop(), reload(), nginx_t()

C<stop> sends QUIT and waits for the master to exit (then TERM, KILL).
C<reload> rewrites nothing: change nginx.conf with write_file_expand first,
then C<reload> sends HUP and waits until new workers started (returns false
if nginx rejected the configuration).  C<nginx_t> runs C<nginx -t> on the
test's nginx.conf and returns C<($exit_code, $output)>.

=item testdir(), port($n), pid(), error_log()

=item exclusive($name)

waits for, then holds until the test ends, the lock F<build/.lock-$name>:
suites that each need the whole machine (live encoding) take the same
name and run one at a time under C<prove -j>.

=item expect_errors(qr/.../, ...)

declare C<[error]>/C<[crit]>/C<[alert]>/C<[emerg]> log lines the test
provokes on purpose.  Sanitizer reports are never excused.

=item check_log()

returns the list of unexpected log lines so far (the final check uses it).

=item http($method, $path, %opts)

an HTTP request with HTTP::Tiny.  Options: C<headers> (hashref), C<body>,
C<port> (default C<< $t->port(8080) >>), C<https> (1: port 8443 and TLS
without verification), C<host>, C<timeout> (default 10 s), C<local> (the
source address, e.g. 127.0.0.2, for the address allow-lists).  Returns a
hashref: C<status>, C<reason>, C<headers> (lower-case names; repeated
headers as arrayrefs, as HTTP::Tiny does), C<body>.  Status 599 means a
connection failure (C<body> has the reason).  Redirects are not followed.
Also C<get($path, %opts)> and C<head($path, %opts)>.

=item http_raw($bytes, %opts)

sends bytes as they are on a new connection (C<port>, C<timeout>), reads
until the server closes, returns the raw response.

=item wait_for($code, %opts), wait_for($code, $timeout, $interval)

the one way tests wait: calls $code until it returns true (that value is
returned) or until the deadline, then returns undef.  Options:
C<timeout> (seconds, default 10), C<interval> (default 0.1 s between
calls), C<what> (when given, a timeout prints the diagnostic "timed out
after N s waiting for WHAT").  Tests never sleep a fixed time to let
something happen: they wait for the condition they need (a playlist with
N fragments, a state reached, a file present, a log line) with a
deadline.

=item log_offset(), wait_log($re, %opts)

C<log_offset> is the current size of error.log.  C<wait_log> waits until
error.log, from the offset C<from> (default 0), holds at least C<count>
(default 1) matches of $re; returns their number, or undef after
C<timeout> (default 10 s) with a diagnostic.

=item on_cleanup($code)

$code runs at the end of the test (final check or END), before nginx is
stopped; the roles use it (publishers are stopped there).

=item make_cert($name)

self-signed certificate for CN=localhost with subjectAltName DNS:localhost,
IP:127.0.0.1; returns (cert path, key path) in the test directory.

=back

=head1 ROLES AND DOMAIN MODULES

This module is the harness: nginx start/stop/reload, ports, the test
directory, writing nginx.conf, HTTP, logs, the final error.log and
sanitizer check, waiting.  The test object also has the methods of two
roles, each documented in its own module and using only the harness's
public methods:

=over

=item L<Sluice::API>

C<api>, C<api_path>, C<create_live_event>, C<create_preview_event>,
C<live_event_state>, C<live_event_action>.

=item L<Sluice::Ingest>

C<publish> and the publisher methods, C<event_dirs>, C<new_event_dir>,
C<tracks>, C<track>, C<track_frames>, C<live_marks>,
C<wait_live_fragments>; the functions C<fixture> and
C<ffprobe_json> (C<use Sluice::Ingest qw(fixture)>).

=back

Helpers of some suites only, called as functions with the test object:
L<Sluice::Players> (web players in Chromium: t/050, t/053, t/074),
L<Sluice::Playback> (streaming locators, live outputs: t/050, t/07x),
L<Sluice::Record>, L<Sluice::ApiRes>, L<Sluice::OpenAPI>,
L<Sluice::GStreamer>, L<Sluice::RTMP> (an RTMP publisher in Perl).

=head1 WRITING NGINX.CONF

Every suite writes nginx.conf with C<< $t->write_sluice_conf(%o) >> (the
domain modules' C<config> functions call it too); its options cover the
variations (API-only servers, HTTPS, other sluice_* directives, extra
servers, a broken configuration after the http block).  Its lower-level
writer C<write_file_expand('nginx.conf', ...)> is used directly only
where the configuration under test is not ours to shape: t/000-smoke.t
(the example of this harness, no Sluice directive at all), and
t/001-quickstart.t and t/081-proxy-cache.t, which test the shipped
F<conf.examples/quickstart.conf> and
F<conf.examples/origin-behind-cache.conf> themselves (only paths and
ports replaced).

=cut

use strict;
use warnings;

use Carp qw(croak);
use Cwd qw(abs_path);
use Fcntl ();
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Spec;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use IPC::Run ();
use Test::More ();
use Time::HiRes qw(sleep time);

# the domain roles: their methods are methods of the test object
use Sluice::API ();
use Sluice::Ingest ();
use parent -norequire, qw(Sluice::API Sluice::Ingest);

our $ROOT = abs_path(File::Spec->catdir(dirname(__FILE__), '..', '..', '..'));

# A suite that cannot go on (BAIL_OUT) fails and ends alone: prove stops
# every suite of its run at "Bail out!", which under prove -j5 hid the
# other suites' results of a whole CI leg.  Its nginx is stopped as at
# any exit.
{
    no warnings 'redefine';

    *Test::Builder::BAIL_OUT = sub {
        my ($tb, $reason) = @_;

        $tb->ok(0, 'cannot go on: ' . ($reason // ''));
        $tb->done_testing() unless $tb->has_plan;
        exit 255;
    };
}

my @OBJECTS;

sub new {
    my ($class, %opts) = @_;

    my $keep = $ENV{SLUICE_TEST_KEEP};
    my $dir = tempdir('sluice-test-XXXXXX', TMPDIR => 1, CLEANUP => !$keep);
    chmod 0755, $dir;
    # nginx-rtmp's default access log is logs/access.log under the prefix
    make_path("$dir/logs");

    my $san = $ENV{SLUICE_SANITIZE} ? 1 : 0;
    my $nginx = $ENV{SLUICE_NGINX}
        || ($san ? "$ROOT/build/asan/objs/nginx" : "$ROOT/build/objs/nginx");
    my $mods = $ENV{SLUICE_MODULES_DIR} || dirname($nginx);

    my $self = bless {
        testdir => $dir,
        nginx => $nginx,
        modules_dir => $mods,
        sanitize => $san,
        ports => {},
        expected => [],
        cleanups => [],
        outputs => [],
        api_key => 'sluice-test-key',
        account => 'local',
        owner_pid => $$,
        checked => 0,
        planned => 0,
        %opts,
    }, $class;

    Test::More::diag("test directory $dir") if $keep;

    push @OBJECTS, $self;
    return $self;
}

sub plan {
    my ($self, $n) = @_;

    Test::More::plan(tests => $n + 1);
    $self->{planned} = 1;
    return $self;
}

sub done_testing {
    my ($self) = @_;

    $self->_final_check();
    Test::More::done_testing();
}

sub skip_all {
    my ($self, $reason) = @_;

    $self->{checked} = 1;
    Test::More::plan(skip_all => $reason);
}

sub has_program {
    my ($self, @names) = @_;

    for my $p (@names) {
        $self->skip_all("$p not found") unless _which($p);
    }
    return $self;
}

# holds a lock named $name until the test ends: suites that each need
# most of the machine (live encoding: t/089, t/092) run one after the
# other even under prove -j4, so none starves the other's real-time work
sub exclusive {
    my ($self, $name) = @_;

    my $dir = "$ROOT/build";
    make_path($dir);
    open my $fh, '>>', "$dir/.lock-$name" or croak "lock $name: $!";
    flock($fh, Fcntl::LOCK_EX()) or croak "lock $name: $!";
    $self->{locks}{$name} = $fh;

    return $self;
}

sub testdir { $_[0]->{testdir} }

sub nginx { $_[0]->{nginx} }
sub modules_dir { $_[0]->{modules_dir} }

sub api_key {
    my ($self, $k) = @_;

    $self->{api_key} = $k if defined $k;
    return $self->{api_key};
}

sub account {
    my ($self, $a) = @_;

    $self->{account} = $a if defined $a;
    return $self->{account};
}

# --- files -------------------------------------------------------------

sub write_file {
    my ($self, $name, $content) = @_;

    my $path = File::Spec->catfile($self->{testdir}, $name);
    make_path(dirname($path));
    open my $fh, '>', $path or croak "cannot write $path: $!";
    binmode $fh;
    print $fh $content;
    close $fh;
    return $path;
}

sub write_file_expand {
    my ($self, $name, $content) = @_;

    return $self->write_file($name, $self->expand($content));
}

# --- the usual nginx.conf ---------------------------------------------

# $text re-indented: its common leading white space replaced by $indent,
# with a final newline; '' for undef or blank text.

sub _conf_block {
    my ($text, $indent) = @_;

    return '' unless defined $text && $text =~ /\S/;

    my @l = split /\n/, $text;
    shift @l while $l[0] !~ /\S/;
    pop @l while $l[-1] !~ /\S/;

    my ($min) = sort { $a <=> $b }
                map { /^([ ]*)/; length $1 } grep { /\S/ } @l;

    return join '', map { /\S/ ? $indent . substr($_, $min) . "\n" : "\n" }
                    @l;
}


sub sluice_conf {
    my ($self, %o) = @_;

    my $workers = $o{workers} // 2;
    my $threads = $o{threads} // 2;
    my $account = $o{account} // $self->account;
    my $data = $o{data} // 'data';
    my $preview = $o{preview_url} // 'http://127.0.0.1:%%PORT_8080%%';
    my $listen = $o{listen} // '';
    my $port = $o{port} // 8080;

    my $pool = $threads && ($o{app_pool} // 1)
               ? "sluice_thread_pool sluice;\n" : '';
    my $apps = $o{apps}
               // "application live {\n    live on;\n    sluice_ingest on;\n"
                  . _conf_block($pool . ($o{app} // ''), '    ') . "}\n";

    my $api = ($o{api} // 1) ? <<'EOF' : '';

        location ~* ^/subscriptions/ {
            sluice_api;
        }
EOF

    my $packager = ($o{packager} // 1)
                   ? "\n        location / {\n            sluice_packager;\n"
                     . _conf_block($o{location}, '            ')
                     . "        }\n"
                   : '';

    my $rtmp = ($o{ingest} // 1)
        ? "rtmp {\n    server {\n"
          . "        listen 127.0.0.1:%%PORT_1935%%;\n"
          . _conf_block($o{rtmp}, '        ') . "\n"
          . _conf_block($apps, '        ')
          . "    }\n}\n\n"
        : '';

    my $sluice = $o{sluice}
        // "sluice_zone sluice 16m;\n"
           . "sluice_data_path $data;\n"
           . "sluice_account $account;\n"
           . "sluice_api_key %%API_KEY%%;\n"
           . "sluice_ingest_url rtmp://127.0.0.1:%%PORT_1935%%;\n"
           . "sluice_preview_url $preview;\n";

    my $conf = "%%TEST_GLOBALS%%\n\n"
        . "worker_processes $workers;\n"
        . ($threads ? "thread_pool sluice threads=$threads;\n" : '')
        . _conf_block($o{main}, '')
        . (defined $o{events}
           ? "\nevents {\n" . _conf_block($o{events}, '    ') . "}\n\n"
           : "\nevents {}\n\n")
        . $rtmp
        . "http {\n    %%TEST_GLOBALS_HTTP%%\n\n"
        . _conf_block($sluice, '    ')
        . _conf_block($o{http}, '    ')
        . "\n    server {\n"
        . "        listen 127.0.0.1:%%PORT_$port%%$listen;\n"
        . _conf_block($o{server}, '        ')
        . $api . $packager
        . "    }\n"
        . _conf_block($o{servers}, '    ')
        . "}\n"
        . _conf_block($o{tail}, '');

    $conf =~ s/%%ACCOUNT%%/$account/g;
    return $conf;
}


# conf.examples/quickstart.conf with the harness' paths, ports and
# certificate; everything else exactly as shipped
sub quickstart_conf {
    my ($self) = @_;

    my $conf = $self->read_file("$ROOT/conf.examples/quickstart.conf");

    $conf =~ s{^load_module modules/}{load_module %%MODULES_DIR%%/}mg;
    $conf =~ s{^error_log logs/error\.log}{error_log error.log}m;
    $conf =~ s{^pid logs/nginx\.pid}{pid nginx.pid}m;
    $conf =~ s{127\.0\.0\.1:(\d+)}{127.0.0.1:%%PORT_$1%%}g;
    $conf =~ s{^(\s*(?:sluice_)?ssl_certificate) sluice\.crt;}
              {$1 %%CERT%%;}mg;
    $conf =~ s{^(\s*(?:sluice_)?ssl_certificate_key) sluice\.key;}
              {$1 %%CERT_KEY%%;}mg;

    return $conf;
}


sub write_sluice_conf {
    my ($self, %o) = @_;

    return $self->write_file_expand('nginx.conf', $self->sluice_conf(%o));
}


sub read_file {
    my ($self, $name) = @_;

    my $path = File::Spec->rel2abs($name, $self->{testdir});
    open my $fh, '<', $path or return undef;
    binmode $fh;
    local $/;
    my $data = <$fh>;
    close $fh;
    return $data;
}

sub expand {
    my ($self, $c) = @_;

    my $dir = $self->{testdir};

    $c =~ s/%%TEST_GLOBALS%%/$self->_test_globals()/ge;
    $c =~ s/%%TEST_GLOBALS_HTTP%%/$self->_test_globals_http()/ge;
    $c =~ s/%%PORT_(\d+)%%/$self->port($1)/ge;
    $c =~ s/%%TESTDIR%%/$dir/g;
    $c =~ s/%%MODULES_DIR%%/$self->{modules_dir}/g;
    $c =~ s/%%ROOT%%/$ROOT/g;
    $c =~ s/%%API_KEY%%/$self->{api_key}/g;
    if ($c =~ /%%CERT(_KEY)?%%/) {
        my ($cert, $key) = $self->make_cert();
        $c =~ s/%%CERT%%/$cert/g;
        $c =~ s/%%CERT_KEY%%/$key/g;
    }
    return $c;
}

sub _test_globals {
    my ($self) = @_;

    my $d = $self->{testdir};
    my $m = $self->{modules_dir};
    my $rtmp = $self->{rtmp_module} // "$m/ngx_rtmp_module.so";
    my $sluice = $self->{sluice_module} // "$m/ngx_http_sluice_module.so";
    my $level = $ENV{SLUICE_TEST_LOG_LEVEL} || 'info';
    my $s = "load_module $rtmp;\n"
        . "load_module $sluice;\n"
        . "pid $d/nginx.pid;\n"
        . "error_log $d/error.log $level;\n"
        . "daemon on;\n"
        . "master_process on;\n";
    $s .= "user root;\n" if $> == 0;
    return $s;
}

sub _test_globals_http {
    my ($self) = @_;

    my $d = $self->{testdir};
    return "access_log $d/access.log;\n"
        . "log_not_found off;\n"
        . "client_body_temp_path $d/client_body_temp;\n"
        . "proxy_temp_path $d/proxy_temp;\n"
        . "fastcgi_temp_path $d/fastcgi_temp;\n"
        . "uwsgi_temp_path $d/uwsgi_temp;\n"
        . "scgi_temp_path $d/scgi_temp;\n";
}

# --- ports -------------------------------------------------------------

my %PORTS_TAKEN;

sub port {
    my ($self, $n) = @_;

    croak 'port number expected' unless defined $n && $n =~ /^\d+$/;
    return $self->{ports}{$n} //= _free_port();
}

# A free port below the kernel's ephemeral range: a port the kernel
# picked (port 0) is free now, but between this check and nginx's bind()
# any client connection of the suites running beside this one may take
# it as its source port (prove -j); client connections never take ports
# below that range.
# Each test process draws first from a window of its own (by its pid), so
# that a suite restarting nginx rarely finds its port taken meanwhile by
# a suite beside it.
sub _free_port {
    my ($low) = (_ephemeral_low() - 1);
    my $base = 10000;

    $low = 20000 if $low <= $base + 1000;

    my $win = int(($low - $base) / 64);
    my $own = $base + ($$ % 64) * $win;

    for my $try (1 .. 200) {
        my $p = $try <= 100 ? $own + int(rand($win))
                            : $base + int(rand($low - $base));
        next if $PORTS_TAKEN{$p};
        my $s = IO::Socket::INET->new(
            LocalAddr => '127.0.0.1', LocalPort => $p, Proto => 'tcp',
            Listen => 1, ReuseAddr => 0)
            or next;
        close $s;
        $PORTS_TAKEN{$p} = 1;
        return $p;
    }
    croak 'no free port';
}

sub _ephemeral_low {
    open(my $fh, '<', '/proc/sys/net/ipv4/ip_local_port_range')
        or return 32768;
    my ($lo) = (<$fh> // '') =~ /^\s*(\d+)/;
    close $fh;
    return $lo // 32768;
}

# --- nginx -------------------------------------------------------------

sub _nginx_env {
    my ($self) = @_;

    # Sanitizer reports go to stderr: before nginx daemonizes that is the
    # output captured by run()/nginx_t(), afterwards nginx has redirected
    # stderr to error.log.  Both are checked.  (log_path is not honoured by
    # GCC's UBSan runtime, so it is not used.)  detect_odr_violation=0:
    # every dynamic module defines its own ngx_modules/ngx_module_names.
    my %env;
    if ($self->{sanitize}) {
        $env{ASAN_OPTIONS} = 'detect_leaks=0:detect_odr_violation=0';
        $env{UBSAN_OPTIONS} = 'print_stacktrace=1'
            . ":suppressions=$ROOT/t/lib/ubsan.supp";
    }
    return %env;
}

sub _nginx_cmd {
    my ($self, @extra) = @_;

    my $d = $self->{testdir};
    return ($self->{nginx}, '-p', "$d/", '-c', 'nginx.conf',
        '-e', 'error.log', @extra);
}

sub nginx_t {
    my ($self) = @_;

    my $out = '';
    local %ENV = (%ENV, $self->_nginx_env());
    IPC::Run::run([$self->_nginx_cmd('-t')], '<', \undef, '>&', \$out);
    my $rc = $? >> 8;
    push @{$self->{outputs}}, $out;
    return ($rc, $out);
}

sub try_run {
    my ($self) = @_;

    croak "no $self->{nginx}: run ./build.sh build" unless -x $self->{nginx};
    croak 'nginx already running' if $self->pid();

    my $d = $self->{testdir};
    unlink "$d/nginx.pid";

    my $out = '';
    my $rc;
    if ($self->{strace}) {
        # strace follows nginx past its daemonizing and exits with it
        local %ENV = (%ENV, $self->_nginx_env());
        my @cmd = ('strace', '-f', '-ttt', '-y', '-s', '32', '-e',
            'trace=' . $self->{strace}{calls}, '-o', $self->{strace}{file},
            $self->_nginx_cmd());
        $self->{strace}{h} = IPC::Run::start(\@cmd, '<', \undef,
            '>&', \$self->{strace}{out});
        $rc = 0;
    } else {
        local %ENV = (%ENV, $self->_nginx_env());
        IPC::Run::run([$self->_nginx_cmd()], '<', \undef, '>&', \$out);
        $rc = $? >> 8;
    }
    $self->{run_output} = $out;
    push @{$self->{outputs}}, $out;

    if ($rc != 0) {
        return 0;
    }

    # with daemon on, the pid file appears after the sockets are bound
    my $ok = $self->wait_for(sub { -s "$d/nginx.pid" }, 10);
    return 0 unless $ok;

    $self->{pid} = $self->pid();
    return 1;
}

sub run {
    my ($self) = @_;

    return $self if $self->try_run();

    my $log = $self->read_file('error.log') // '';
    my @lines = split /\n/, $log;
    splice @lines, 0, @lines - 20 if @lines > 20;
    $log = join("\n", @lines);
    die "cannot start nginx: " . ($self->{run_output} // '') . "\n"
        . "error.log:\n" . $log . "\n";
}

sub pid {
    my ($self) = @_;

    my $p = $self->read_file('nginx.pid');
    return undef unless defined $p && $p =~ /(\d+)/;
    return kill(0, $1) ? $1 : undef;
}

sub stop {
    my ($self) = @_;

    my $pid = $self->pid() or return $self;

    kill 'QUIT', $pid;
    unless ($self->wait_for(sub { !kill(0, $pid) }, 15)) {
        Test::More::diag("nginx $pid did not quit; sending TERM");
        kill 'TERM', $pid;
        unless ($self->wait_for(sub { !kill(0, $pid) }, 5)) {
            kill 'KILL', $pid;
            sleep 0.2;
        }
    }
    unlink "$self->{testdir}/nginx.pid";
    if (my $h = $self->{strace} && $self->{strace}{h}) {
        # every traced process is gone: strace ends
        $self->wait_for(sub { $h->pump_nb; !$h->pumpable }, 15);
        eval { $h->finish } or eval { $h->kill_kill };
        delete $self->{strace}{h};
    }
    return $self;
}

=head2 strace($file, $calls)

The next C<run()> starts nginx under C<strace -f -ttt -y -o $file> (the
system calls $calls, comma-separated; every process and thread, times in
seconds since the epoch, file descriptors with their paths); C<stop()>
waits for strace to end.  C<parse_strace($file)> reads such a file: a
list of hashrefs C<pid>, C<t> (the call began), C<te> (it returned),
C<call>, C<args> (the text between the parentheses), C<ret>, in the
order they began.

=cut

sub strace {
    my ($self, $file, $calls) = @_;

    $self->{strace} = { file => $file, calls => $calls };
    return $self;
}

sub parse_strace {
    my ($class, $file) = @_;

    open my $fh, '<', $file or return [];
    my (@ev, %pending);

    while (my $l = <$fh>) {
        chomp $l;
        my ($pid, $t, $rest) = $l =~ /^(\d+)\s+(\d+\.\d+)\s+(.*)$/
            or next;

        # a call interrupted by another thread's, resumed later
        my $te = $t;
        if ($rest =~ /^(.*) <unfinished \.\.\.>$/) {
            $pending{$pid} = { t => $t, text => $1 };
            next;
        }
        if ($rest =~ /^<\.\.\. \w+ resumed>\s*(.*)$/) {
            my $p = delete $pending{$pid} or next;
            $rest = $p->{text} . $1;
            $t = $p->{t};
        }

        my ($call, $args, $ret) = $rest =~ /^(\w+)\((.*)\)\s+=\s+(.*)$/
            or next;
        push @ev, { pid => $pid, t => $t, te => $te, call => $call,
            args => $args, ret => $ret };
    }
    close $fh;

    return [ sort { $a->{t} <=> $b->{t} } @ev ];
}

sub reload {
    my ($self, $timeout) = @_;

    my $pid = $self->pid() or croak 'nginx is not running';
    my $log = "$self->{testdir}/error.log";
    my $offset = -s $log || 0;

    # (a worker still shutting down from an earlier reload is not waited
    # for: it accepts nothing)
    my @old = grep { $self->_cmdline($_) !~ /shutting down/ }
        $self->_children($pid);

    kill 'HUP', $pid;

    # done when the new workers started and every old one stopped
    # accepting (it logs "gracefully shutting down" before it closes its
    # listening sockets) or exited: a connection made after reload()
    # returns meets the new configuration
    my $r = $self->wait_for(sub {
        my $text = $self->_log_from($offset);
        return 'failed' if $text =~ /\[emerg\]/;
        return undef unless $text =~ /start worker process/;
        for my $w (@old) {
            next unless kill(0, $w);
            next if $text =~ /\b$w#\d+: (?:gracefully shutting down|exiting)/;
            my $st = $self->_proc_state($w);
            next if defined $st && $st eq 'Z';
            return undef;
        }
        return 'ok';
    }, $timeout // 10);

    return defined $r && $r eq 'ok';
}

# the processes whose parent is $ppid (nginx's workers and helpers)
sub _children {
    my ($self, $ppid) = @_;
    my @kids;

    opendir(my $dh, '/proc') or return ();
    for my $p (grep { /^\d+$/ } readdir $dh) {
        open(my $fh, '<', "/proc/$p/stat") or next;
        my $st = <$fh> // '';
        close $fh;
        push @kids, $p if $st =~ /\)\s+\S+\s+(\d+)/ && $1 == $ppid;
    }
    closedir $dh;

    return @kids;
}

sub _cmdline {
    my ($self, $p) = @_;

    open(my $fh, '<', "/proc/$p/cmdline") or return '';
    local $/;
    my $c = <$fh> // '';
    close $fh;

    return $c;
}

sub _proc_state {
    my ($self, $p) = @_;

    open(my $fh, '<', "/proc/$p/stat") or return undef;
    my $st = <$fh> // '';
    close $fh;

    return $st =~ /\)\s+(\S+)/ ? $1 : undef;
}

sub _log_from {
    my ($self, $offset) = @_;

    open my $fh, '<', "$self->{testdir}/error.log" or return '';
    seek $fh, $offset, 0;
    local $/;
    my $t = <$fh> // '';
    close $fh;
    return $t;
}

sub error_log {
    my ($self) = @_;

    return $self->read_file('error.log') // '';
}

sub expect_errors {
    my ($self, @re) = @_;

    push @{$self->{expected}}, @re;
    return $self;
}

sub check_log {
    my ($self) = @_;

    my @bad;

    for my $line (split /\n/, $self->error_log()) {
        if ($line =~ /AddressSanitizer|LeakSanitizer|runtime error:/) {
            push @bad, $line;
            next;
        }
        next unless $line =~ /\[(?:error|crit|alert|emerg)\]/;
        next if grep { $line =~ $_ } @{$self->{expected}};
        push @bad, $line;
    }

    for my $out (@{$self->{outputs}}) {
        my @l = split /\n/, $out;
        next unless grep { /AddressSanitizer|LeakSanitizer|runtime error:/ } @l;
        splice @l, 30 if @l > 30;
        push @bad, 'nginx output:', @l;
    }

    return grep { defined } @bad;
}

sub on_cleanup {
    my ($self, $code) = @_;

    push @{$self->{cleanups}}, $code;
    return $self;
}

sub _cleanup {
    my ($self) = @_;

    while (my $code = shift @{$self->{cleanups}}) {
        eval { $code->(); 1 } or Test::More::diag("cleanup: $@");
    }
}

sub _final_check {
    my ($self) = @_;

    return if $self->{checked}++;

    $self->_cleanup();
    $self->stop();

    my @bad = $self->check_log();
    splice @bad, 40 if @bad > 40;
    Test::More::is(join("\n", @bad), '', 'error log clean');
}

END {
    my $status = $?;
    for my $t (@OBJECTS) {
        next unless $t->{owner_pid} == $$;
        if ($t->{planned}) {
            $t->_final_check();
        } else {
            $t->_cleanup();
            $t->stop();
        }
    }
    $? = $status;
}

# --- waiting -----------------------------------------------------------

sub wait_for {
    my ($self, $code, @o) = @_;

    # wait_for($code, $timeout, $interval) or wait_for($code, %opts)
    my %o = (@o && (!defined $o[0] || $o[0] =~ /^[\d.]+$/))
            ? (timeout => $o[0], interval => $o[1]) : @o;
    my $timeout = $o{timeout} // 10;
    my $interval = $o{interval} // 0.1;

    my $deadline = time() + $timeout;
    while (1) {
        my $r = $code->();
        return $r if $r;
        last if time() >= $deadline;
        sleep $interval;
    }

    Test::More::diag("timed out after $timeout s waiting for $o{what}")
        if defined $o{what};
    return undef;
}

sub log_offset {
    my ($self) = @_;

    return -s "$self->{testdir}/error.log" || 0;
}

sub wait_log {
    my ($self, $re, %o) = @_;

    my $n = $o{count} // 1;
    my $from = $o{from} // 0;

    return $self->wait_for(sub {
        my @m = $self->_log_from($from) =~ /$re/g;
        return @m >= $n ? scalar @m : undef;
    }, timeout => $o{timeout} // 10, interval => $o{interval},
       what => $o{what} // "$n error.log line(s) matching $re");
}

# --- HTTP --------------------------------------------------------------

sub http {
    my ($self, $method, $path, %o) = @_;

    my $https = $o{https};
    my $port = $o{port} // $self->port($https ? 8443 : 8080);
    my $host = $o{host} // '127.0.0.1';
    my $scheme = $https ? 'https' : 'http';

    my $ua = HTTP::Tiny->new(
        max_redirect => 0,
        keep_alive => 0,
        timeout => $o{timeout} // 10,
        verify_SSL => 0,
        agent => 'sluice-test',
        (defined $o{local} ? (local_address => $o{local}) : ()),
    );

    my %args = (headers => $o{headers} // {});
    $args{content} = $o{body} if defined $o{body};

    my $url = $path =~ m{^https?://} ? $path : "$scheme://$host:$port$path";
    my $res = $ua->request($method, $url, \%args);

    return {
        status => $res->{status},
        reason => $res->{reason},
        headers => $res->{headers} // {},
        body => $res->{content} // '',
        url => $url,
    };
}

sub get {
    my ($self, $path, %o) = @_;

    return $self->http(GET => $path, %o);
}

sub head {
    my ($self, $path, %o) = @_;

    return $self->http(HEAD => $path, %o);
}

sub http_raw {
    my ($self, $bytes, %o) = @_;

    my $port = $o{port} // $self->port(8080);
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
        Timeout => $o{timeout} // 10) or return undef;
    binmode $s;

    my $reply = '';
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm($o{timeout} // 10);
        print $s $bytes;
        while (1) {
            my $n = sysread($s, my $buf, 65536);
            last unless $n;
            $reply .= $buf;
        }
        alarm(0);
    };
    alarm(0);
    close $s;
    return $reply;
}

# --- TLS ---------------------------------------------------------------

sub make_cert {
    my ($self, $name) = @_;

    $name //= 'localhost';
    my $d = $self->{testdir};
    my ($cert, $key) = ("$d/$name.crt", "$d/$name.key");
    return ($cert, $key) if -s $cert && -s $key;

    make_cert_files($cert, $key, $name);
    return ($cert, $key);
}

sub make_cert_files {
    my ($cert, $key, $cn) = @_;

    my $out = '';
    my @cmd = ('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
        '-days', '365', '-subj', "/CN=$cn",
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', $key, '-out', $cert);
    IPC::Run::run(\@cmd, '<', \undef, '>&', \$out)
        or croak "openssl req failed: $out";
    return ($cert, $key);
}

# --- misc --------------------------------------------------------------

sub _which {
    my ($p) = @_;

    for my $d (split /:/, $ENV{PATH} // '') {
        return "$d/$p" if -x "$d/$p";
    }
    return undef;
}

1;
