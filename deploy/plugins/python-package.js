'use strict';
// Builds the function zip (package.artifact) with deploy/build_package.py just before osls
// packages, for the Python version and CPU architecture that serverless.yml declares, so the
// runtime and the compiled wheels can never disagree. No npm dependency: a small, readable hook
// instead of a plugin whose caches and Docker fallbacks we would have to reason about.
//
// Settings (custom.pythonPackage): glibc (default "2.17"), bundleBoto3 (default false), store
// (a SQL store, mysql or postgresql, adds its driver: build_package.py --store; others add none).
// The Python that runs pip: $VOICE_RECEIPTS_BUILD_PYTHON, else ./.venv/bin/python, else python3.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

class PythonPackage {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.log = log || console;
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.build(),
      'before:package:function:package': () => this.build(),
    };
  }

  build() {
    const { service, serviceDir } = this.serverless;
    const provider = service.provider;
    const settings = (service.custom && service.custom.pythonPackage) || {};
    const runtimes = new Set(
      service.getAllFunctions().map((name) => service.getFunction(name).runtime || provider.runtime)
    );
    const arches = new Set(
      service.getAllFunctions().map((name) => service.getFunction(name).architecture
        || provider.architecture || 'x86_64')
    );
    if (runtimes.size !== 1 || arches.size !== 1) {
      throw new this.serverless.classes.Error('python-package: every function must share one runtime and architecture (one zip)');
    }
    const [runtime] = runtimes;
    const [arch] = arches;
    const match = /^python(\d+\.\d+)$/.exec(runtime || '');
    if (!match) throw new this.serverless.classes.Error(`python-package: not a Python runtime: ${runtime}`);
    // Set while packaging only (see serverless.yml); osls then zips nothing itself.
    service.package = service.package || {};
    // osls builds every artifact in .serverless/ and moves them to `--package DIR` at the end
    const artifact = path.join('.serverless', `${service.service}.zip`);
    if (service.package.artifact && service.package.artifact !== artifact) {
      throw new this.serverless.classes.Error('python-package: remove package.artifact from serverless.yml, this plugin sets it');
    }

    const venvPython = path.join(serviceDir, '.venv', 'bin', 'python');
    const python = process.env.VOICE_RECEIPTS_BUILD_PYTHON
      || (fs.existsSync(venvPython) ? venvPython : 'python3');
    const args = [
      path.join(serviceDir, 'deploy', 'build_package.py'),
      '--out', path.resolve(serviceDir, artifact),
      '--python', match[1],
      '--arch', arch,
      '--glibc', String(settings.glibc || '2.17'),
    ];
    if (settings.bundleBoto3) args.push('--bundle-boto3');
    if (['mysql', 'postgresql'].includes(settings.store)) args.push('--store', settings.store);
    this.log.notice(`Building ${artifact} for ${runtime} ${arch}`);
    const result = spawnSync(python, args, { cwd: serviceDir, stdio: 'inherit' });
    if (result.error || result.status !== 0) {
      throw new this.serverless.classes.Error(
        `python-package: ${python} deploy/build_package.py failed (${result.error || `exit ${result.status}`})`
      );
    }
    service.package.artifact = artifact;
  }
}

module.exports = PythonPackage;
